"""Subscriptions: ``articleChanged``, the live article stream over graphql-transport-ws.

The events come from ``api.domain.stream.article_events``, the generator the SSE stream
uses: same filter semantics, same cursors (interchangeable with SSE event ids and the
``changes`` cursors). Each event is resolved in its own short read session, bound to the
connection's context only while that event's selection set runs.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import strawberry
from graphql import GraphQLError

from api.db.database import Database
from api.domain.shared import ArticleRecord
from api.domain.stream import ArticleEvent, article_events, parse_since, stream_slots
from api.errors import BroadsheetError, InvalidInput, ServiceUnavailable
from api.graphql.articles.queries import ArticleCollapse
from api.graphql.articles.types import Article
from api.graphql.core import inputs
from api.graphql.core.context import Info
from api.settings import Settings


@strawberry.enum(description="What happened to the article.")
class ArticleChangeKind(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class ArticleChangeRow:
    kind: ArticleChangeKind
    cursor: str
    article_id: str
    slug: str | None
    article: ArticleRecord | None


@strawberry.type(description="A committed change to an article, as the live stream sees it.")
class ArticleChange:
    kind: ArticleChangeKind
    cursor: str = strawberry.field(
        description="Pass as `since` to resume right after this change. The same cursor as "
        "SSE event ids and `changes` cursors."
    )
    article_id: str = strawberry.field(description="The article's public id.")
    slug: str | None = strawberry.field(description="The article's slug (a deleted one's last).")
    article: Article | None = strawberry.field(
        description="The article as it is now, for CREATED and UPDATED; null for DELETED."
    )


def _graphql_error(error: BroadsheetError) -> GraphQLError:
    extensions: dict[str, object] = {"code": error.code}
    if isinstance(error, InvalidInput) and error.invalid_params:
        extensions["argument"] = error.invalid_params[0].name
    return GraphQLError(error.detail, original_error=error, extensions=extensions)


def _row(event: ArticleEvent) -> ArticleChangeRow:
    kind = ArticleChangeKind(event.kind)
    return ArticleChangeRow(kind, event.cursor, event.article_id, event.slug, event.article)


async def article_changed(
    info: Info,
    filter: inputs.ArticleFilterInput | None = None,
    since: str | None = None,
    collapse: ArticleCollapse | None = None,
) -> AsyncGenerator[ArticleChange, None]:
    request = info.context.request
    settings: Settings = request.app.state.settings
    database: Database = request.app.state.db
    try:
        article_filter = inputs.to_article_filter(filter)
        after = parse_since(since, "since") if since is not None else None
    except BroadsheetError as error:
        raise _graphql_error(error) from None
    slots = stream_slots(request.app.state, settings.stream_max_connections)
    if not slots.acquire():
        busy = ServiceUnavailable(detail=f"this worker already serves {slots.limit} streams")
        raise _graphql_error(busy)
    try:
        poll = settings.stream_poll_seconds
        events = article_events(
            database,
            article_filter,
            after,
            poll_seconds=poll,
            collapse=collapse is ArticleCollapse.STORY,
        )
        async with contextlib.aclosing(events):
            async for item in events:
                if not isinstance(item, ArticleEvent):
                    continue  # caught up: graphql-transport-ws has its own pings
                async with database.session() as session:
                    info.context.run.bind(session, writable=False)
                    info.context.forget_loaded()
                    yield _row(item)  # type: ignore[misc]  # resolved as ArticleChange
    finally:
        slots.release()


@strawberry.type
class Subscription:
    article_changed: AsyncGenerator[ArticleChange, None] = strawberry.subscription(
        resolver=article_changed,
        description=(
            "Live article changes from the changes log, for any feed filter: CREATED and "
            "UPDATED when the article matches the filter as it is now, every DELETED "
            "(the log cannot tell whether a deleted article matched). From now, or after "
            "the cursor `since`. `collapse: STORY`: CREATED and UPDATED only of articles "
            "standing for their story. REST: GET /v1/stream (Server-Sent Events)."
        ),
    )
