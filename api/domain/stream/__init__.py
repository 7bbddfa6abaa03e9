"""The live article stream: catch-up from the changes log, then events as writes commit."""

from api.domain.stream.events import (
    ArticleEvent,
    StreamSlots,
    article_events,
    parse_since,
    stream_slots,
)

__all__ = ["ArticleEvent", "StreamSlots", "article_events", "parse_since", "stream_slots"]
