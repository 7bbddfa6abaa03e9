"""Cache purges: the keys responses carry, the outbox written with each change, the worker
that sends purges to the caches in front (BROADSHEET_CACHE_PURGE_URLS)."""

from api.domain.purges.keys import (
    FEED,
    MAX_KEY_HEADER_BYTES,
    article_page_keys,
    bounded,
    key,
)
from api.domain.purges.worker import PurgeWorker, running

__all__ = [
    "FEED",
    "MAX_KEY_HEADER_BYTES",
    "PurgeWorker",
    "article_page_keys",
    "bounded",
    "key",
    "running",
]
