"""``GET /v1/stream``: the live article stream as Server-Sent Events.

Each event's ``id`` is a changes cursor: a reconnecting client sends it back as
``Last-Event-ID`` (browsers do so by themselves) and misses nothing. Heartbeats are
comments carrying the current position as an ``id`` line, so even a client whose filter
matched nothing lately resumes from near the head.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from api.domain.stream import ArticleEvent, StreamSlots, article_events, parse_since, stream_slots
from api.errors import InvalidInput
from api.http.problems import problem_response
from api.rest.core.params import DEFAULT_FEED_FIELDS, StreamQuery, parse_query
from api.rest.core.views import feed_item_view
from api.settings import Settings

EVENT_STREAM = "text/event-stream"
RETRY_MS = 3000
MAX_LAST_EVENT_ID = 512
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def sse_event(event: ArticleEvent) -> bytes:
    if event.article is None:
        data = orjson.dumps({"id": event.article_id, "slug": event.slug})
    else:
        data = orjson.dumps(feed_item_view(event.article, DEFAULT_FEED_FIELDS))
    return b"id: %s\nevent: article.%s\ndata: %s\n\n" % (
        event.cursor.encode(),
        event.kind.encode(),
        data,
    )


class EventStreamResponse(StreamingResponse):
    """Releases the stream's slot however the response ends (even before it starts)."""

    def __init__(self, content: AsyncIterator[bytes], release: Callable[[], None]) -> None:
        super().__init__(content, media_type=EVENT_STREAM, headers=HEADERS)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()


def _since(request: Request, query: StreamQuery) -> int | None:
    # Last-Event-ID wins: a browser reconnecting keeps the URL (and its `since`) but sends
    # the id of the last event it saw, which is further along.
    last = request.headers.get("last-event-id", "").strip()
    if last:
        if len(last) > MAX_LAST_EVENT_ID:
            raise InvalidInput.for_param("Last-Event-ID", "too long", status=400)
        return parse_since(last, "Last-Event-ID")
    return None if query.since is None else parse_since(query.since, "since")


async def _frames(
    request: Request, query: StreamQuery, since: int | None, settings: Settings
) -> AsyncIterator[bytes]:
    deadline = time.monotonic() + settings.stream_max_seconds
    heartbeat = settings.stream_heartbeat_seconds
    # Waits never outlast the stream's lifetime by more than this.
    poll = min(settings.stream_poll_seconds, heartbeat, settings.stream_max_seconds)
    yield b"retry: %d\n\n" % RETRY_MS
    last_beat: float | None = None
    events = article_events(
        request.app.state.db,
        query.to_filter(),
        since,
        poll_seconds=poll,
        collapse=query.collapse == "story",
    )
    async with contextlib.aclosing(events):
        async for item in events:
            if isinstance(item, ArticleEvent):
                yield sse_event(item)
                continue
            now = time.monotonic()
            if last_beat is None or now - last_beat >= heartbeat:
                last_beat = now
                yield b"id: %s\n: heartbeat\n\n" % item.cursor.encode()
            if now >= deadline:
                return


async def stream_articles(request: Request) -> Response:
    query = parse_query(StreamQuery, request.query_params, request.scope["query_string"])
    since = _since(request, query)
    if request.method == "HEAD":  # the headers a GET would get, without opening a stream
        return Response(headers=HEADERS, media_type=EVENT_STREAM)
    settings: Settings = request.app.state.settings
    slots: StreamSlots = stream_slots(request.app.state, settings.stream_max_connections)
    if not slots.acquire():
        return problem_response(
            503,
            f"this worker already serves {slots.limit} streams; retry shortly",
            headers={"Retry-After": "5"},
        )
    return EventStreamResponse(_frames(request, query, since, settings), slots.release)
