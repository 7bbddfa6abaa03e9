"""The live article stream: the changes log as article events, for SSE and GraphQL alike.

One generator serves both doors. It reads the log after a cursor one page at a time, in a
short session per page, and reads the next page only once the consumer has taken every
event of this one: a slow client holds one page, never a growing queue. Caught up, it
waits for a commit in this process (``Database.commits``) or the poll interval, whichever
comes first, so writes from other processes arrive too.

What a filtered stream delivers:
- ``created``/``updated``: the article as it is when the page is read, if it matches the
  filter then (an update that makes it stop matching is not announced);
- ``deleted``: every article delete, whatever the filter, with the id and slug. The log
  keeps no snapshot of what was deleted, so the stream cannot tell whether it matched;
  a client drops the article if it holds it.
Changes to sources and entities are not article events (their article bumps are).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import Database
from api.domain.changes.log import CURSOR_KIND, CURSOR_SEQ, changes_cursor
from api.domain.shared.article_rows import article_from_row, mentions_by_article, select_articles
from api.domain.shared.cursors import decode_cursor
from api.domain.shared.filters import ArticleFilter, filter_conditions
from api.domain.shared.records import ArticleRecord
from api.domain.stories.article_stories import collapsed_scope, story_refs_by_article
from api.models import Article, Change
from api.models.change import ArticleTombstone

STREAM_PAGE = 100


@dataclass(frozen=True, slots=True)
class ArticleEvent:
    kind: str  # created | updated | deleted
    seq: int
    article_id: str
    slug: str | None
    article: ArticleRecord | None  # None for deletes

    @property
    def cursor(self) -> str:
        return changes_cursor(self.seq)


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """Every change up to ``seq`` was delivered; the stream is about to wait."""

    seq: int

    @property
    def cursor(self) -> str:
        return changes_cursor(self.seq)


def parse_since(since: str, param: str) -> int:
    """A changes cursor (an event id): the position to resume after."""
    return int(decode_cursor(since, CURSOR_KIND, [CURSOR_SEQ], param=param)[0])


async def _latest_seq(session: AsyncSession) -> int:
    return int((await session.execute(select(func.coalesce(func.max(Change.seq), 0)))).scalar_one())


async def _page(
    session: AsyncSession, article_filter: ArticleFilter, after: int, limit: int, collapse: bool
) -> tuple[list[ArticleEvent], int, bool]:
    """Events after ``after``, the last seq looked at, and whether the page was full."""
    stmt = select(Change.seq, Change.op, Change.resource_id).where(
        Change.seq > after, Change.resource == "article"
    )
    rows = (await session.execute(stmt.order_by(Change.seq).limit(limit))).all()
    if not rows:
        return [], after, False
    live_ids = sorted({r.resource_id for r in rows if r.op != "deleted"})
    gone_ids = sorted({r.resource_id for r in rows if r.op == "deleted"})
    articles: dict[str, ArticleRecord] = {}
    if live_ids:
        found = select_articles(with_body=False).where(
            Article.public_id.in_(live_ids), *filter_conditions(article_filter)
        )
        if collapse:
            found = found.where(collapsed_scope())
        records = [article_from_row(row) for row in (await session.execute(found)).all()]
        mentions = await mentions_by_article(session, (a.pk for a in records))
        stories = await story_refs_by_article(session, (a.pk for a in records))
        for record in records:
            record.mentions = mentions[record.pk]
            record.story = stories.get(record.pk)
            articles[record.id] = record
    slugs: dict[str, str] = {}
    if gone_ids:
        tombs = select(ArticleTombstone.public_id, ArticleTombstone.slug).where(
            ArticleTombstone.public_id.in_(gone_ids)
        )
        slugs = {public_id: slug for public_id, slug in (await session.execute(tombs)).all()}
    events = []
    for row in rows:
        if row.op == "deleted":
            slug = slugs.get(row.resource_id)
            events.append(ArticleEvent("deleted", row.seq, row.resource_id, slug, None))
        elif (article := articles.get(row.resource_id)) is not None:
            events.append(ArticleEvent(row.op, row.seq, article.id, article.slug, article))
    return events, rows[-1].seq, len(rows) == limit


async def article_events(
    database: Database,
    article_filter: ArticleFilter,
    since: int | None,
    *,
    poll_seconds: float,
    page_size: int | None = None,
    collapse: bool = False,
) -> AsyncGenerator[ArticleEvent | CaughtUp, None]:
    """Article events after ``since`` (default: from now), forever; ``CaughtUp`` between waits.

    With ``collapse``, created and updated events only of articles standing for their
    story (its headline, or alone), as the feed collapsed by story lists them.

    Never holds a session while waiting or while the consumer is busy with an event.
    """
    page_size = page_size or STREAM_PAGE
    after = since
    if after is None:
        async with database.session() as session:
            after = await _latest_seq(session)
    while True:
        token = database.commits.token()  # before the read: a commit after it wakes us
        async with database.session() as session:
            events, after, full = await _page(session, article_filter, after, page_size, collapse)
        for event in events:
            yield event
        if not full:
            yield CaughtUp(after)
            await database.commits.wait(token, poll_seconds)


class StreamSlots:
    """Caps a worker's concurrent streams (SSE and subscriptions together)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0

    def acquire(self) -> bool:
        if self.open >= self.limit:
            return False
        self.open += 1
        return True

    def release(self) -> None:
        self.open -= 1


def stream_slots(state: object, limit: int) -> StreamSlots:
    """The app's one ``StreamSlots``, made on first use (no await in between: no race)."""
    slots: StreamSlots | None = getattr(state, "stream_slots", None)
    if slots is None:
        slots = StreamSlots(limit)
        setattr(state, "stream_slots", slots)  # noqa: B010
    return slots
