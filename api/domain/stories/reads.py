"""Reading stories: pages of story summaries, one story with its articles, an article's
story, and the collapse-by-story narrowing of the feed.

Every read is a fixed number of statements whatever the page size: the stories (with
their headline), then their sources and their entities for the whole page at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    func,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.db.database import fetch_rows
from api.domain.shared.article_rows import (
    CARD_COLUMNS,
    CATEGORY_COLUMNS,
    SOURCE_COLUMNS,
    article_from_row,
    article_ref_from_row,
    select_articles,
    source_from_row,
)
from api.domain.shared.cursors import INT32_MAX, IntPart, decode_cursor, encode_cursor
from api.domain.shared.filters import ArticleFilter, filter_conditions
from api.domain.shared.records import (
    SourceRecord,
    StoryEntityRecord,
    StoryMemberRecord,
    StoryRecord,
)
from api.domain.stories.records import StoryPageRecord
from api.models import Article, Entity, Mention, Source, Story, StoryMember

MAX_PAGE_SIZE = 100
TOP_ENTITIES = 5
CURSOR_KIND = "stories"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MIN_MICROS = -62_135_510_400_000_000  # 0001-01-02: datetime cannot go lower
_MAX_MICROS = 253_402_128_000_000_000  # 9999-12-30

# The headline and its source are aliased: the feed filter's subqueries name ``articles``
# and ``sources`` and must not correlate with the headline's rows.
_HEADLINE = aliased(Article, name="headline")
_HEADLINE_SOURCE = aliased(Source, name="headline_source")
_STORY_COLUMNS = (
    Story.id,
    Story.public_id,
    Story.size,
    Story.source_count,
    Story.first_published_at,
    Story.last_published_at,
    Story.created_at,
    Story.updated_at,
    Story.sources,
    _HEADLINE.id,  # None when the headline is gone (its story is being rebuilt)
    _HEADLINE.public_id,
    _HEADLINE.slug,
    _HEADLINE.title,
    _HEADLINE.url,
    _HEADLINE.published_at,
    _HEADLINE_SOURCE.slug,
    _HEADLINE_SOURCE.name,
    _HEADLINE_SOURCE.homepage_url,
    _HEADLINE_SOURCE.feed_url,
    _HEADLINE_SOURCE.logo_url,
)
_SOURCES_AT = 8  # stories.sources: the slugs give the order of the story's sources
_HEADLINE_AT = 9


def _select_stories() -> Select[Any]:
    columns: tuple[Any, ...] = _STORY_COLUMNS
    stmt: Select[Any] = (
        select(*columns)
        .select_from(Story)
        .outerjoin(_HEADLINE, _HEADLINE.id == Story.headline_article_id)
        .outerjoin(_HEADLINE_SOURCE, _HEADLINE_SOURCE.id == _HEADLINE.source_id)
    )
    return stmt


_SELECT_STORIES = _select_stories()


def _micros(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def story_cursor(story: StoryRecord) -> str:
    """The cursor that resumes ``story_page`` right after ``story``."""
    return encode_cursor(CURSOR_KIND, [_micros(story.updated_at), story.pk])


def _cursor_key(cursor: str) -> tuple[dt.datetime, int]:
    shape = [IntPart(_MIN_MICROS, _MAX_MICROS), IntPart(1, INT32_MAX)]
    micros, pk = decode_cursor(cursor, CURSOR_KIND, shape)
    assert isinstance(micros, int) and isinstance(pk, int)  # checked by the shape
    return _EPOCH + dt.timedelta(microseconds=micros), pk


def _matching(article_filter: ArticleFilter) -> ColumnElement[bool]:
    """Stories with at least one article the feed filter keeps."""
    return (
        select(StoryMember.article_id)
        .join(Article, Article.id == StoryMember.article_id)
        .where(StoryMember.story_id == Story.id, *filter_conditions(article_filter))
        .exists()
    )


async def story_page(
    session: AsyncSession,
    article_filter: ArticleFilter,
    *,
    limit: int = 20,
    cursor: str | None = None,
    min_size: int = 2,
) -> StoryPageRecord:
    """Stories newest-updated first, of ``min_size`` articles or more (stories of one are
    listed only when asked: ``min_size=1``), with an article the filter keeps.

    Three statements at most: the page, then its sources and its entities.
    InvalidInput (400, ``cursor``) for a cursor that is not ours.
    """
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be within 1..{MAX_PAGE_SIZE}")
    stmt = _SELECT_STORIES.where(Story.size >= min_size)
    if article_filter != ArticleFilter():
        stmt = stmt.where(_matching(article_filter))
    if cursor is not None:
        updated_at, pk = _cursor_key(cursor)
        stmt = stmt.where(tuple_(Story.updated_at, Story.id) < tuple_(updated_at, pk))
    stmt = stmt.order_by(Story.updated_at.desc(), Story.id.desc()).limit(limit + 1)
    rows = await fetch_rows(session, stmt)
    items = await _stories(session, rows[:limit])
    next_cursor = story_cursor(items[-1]) if len(rows) > limit else None
    return StoryPageRecord(items=items, next_cursor=next_cursor)


async def get_story(
    session: AsyncSession, public_id: str
) -> tuple[StoryRecord, list[StoryMemberRecord]] | None:
    """A story by public id with its articles, earliest first (four statements)."""
    rows = await fetch_rows(session, _SELECT_STORIES.where(Story.public_id == public_id))
    if not rows:
        return None
    [story] = await _stories(session, rows)
    members = await members_by_story(session, [story.pk])
    return story, members[story.pk]


async def stories_by_article(
    session: AsyncSession, article_pks: Iterable[int]
) -> dict[int, StoryRecord]:
    """The story of each article that shares one with others (three statements); articles
    alone in their story, or not clustered yet, are absent."""
    keys = list(dict.fromkeys(article_pks))
    if not keys:
        return {}
    stmt = (
        _SELECT_STORIES.add_columns(StoryMember.article_id)
        .join(StoryMember, StoryMember.story_id == Story.id)
        .where(StoryMember.article_id.in_(bindparam("keys", expanding=True)), Story.size > 1)
    )
    rows = await fetch_rows(session, stmt, {"keys": keys})
    stories = {story.pk: story for story in await _stories(session, rows)}
    return {row[-1]: stories[row[0]] for row in rows}


_MEMBER_ARTICLE_WIDTH = len(CARD_COLUMNS) + len(SOURCE_COLUMNS) + len(CATEGORY_COLUMNS)
_MEMBERS = (
    select_articles(with_body=False)
    .add_columns(
        StoryMember.story_id, StoryMember.score, StoryMember.joined_at, StoryMember.explanation
    )
    .join(StoryMember, StoryMember.article_id == Article.id)
    .where(StoryMember.story_id.in_(bindparam("stories", expanding=True)))
    .order_by(StoryMember.story_id, Article.published_at, Article.id)
)


async def members_by_story(
    session: AsyncSession, story_pks: Iterable[int]
) -> dict[int, list[StoryMemberRecord]]:
    """Each story's articles, earliest published first, with their membership (one
    statement); every requested key is present."""
    keys = list(dict.fromkeys(story_pks))
    result: dict[int, list[StoryMemberRecord]] = {pk: [] for pk in keys}
    if not keys:
        return result
    for row in await fetch_rows(session, _MEMBERS, {"stories": keys}):
        story_pk, score, joined_at, explanation = row[_MEMBER_ARTICLE_WIDTH:]
        article = article_from_row(row[:_MEMBER_ARTICLE_WIDTH])
        result[story_pk].append(StoryMemberRecord(article, score, joined_at, explanation))
    return result


# A story's sources in the order it stores them (``stories.sources``, which article stories
# show): the rows of the page's sources, by slug.
_SOURCES = select(*SOURCE_COLUMNS).where(Source.slug.in_(bindparam("slugs", expanding=True)))
_ENTITIES = (
    select(
        StoryMember.story_id,
        Entity.slug,
        Entity.name,
        type_coerce(Entity.type, String),
        func.sum(Mention.salience),
    )
    .join(Mention, Mention.article_id == StoryMember.article_id)
    .join(Entity, Entity.id == Mention.entity_id)
    .where(StoryMember.story_id.in_(bindparam("stories", expanding=True)))
    .group_by(StoryMember.story_id, Entity.id, Entity.slug, Entity.name, Entity.type)
)


async def _stories(session: AsyncSession, rows: Sequence[Sequence[Any]]) -> list[StoryRecord]:
    """Records of ``_SELECT_STORIES`` rows (a story may repeat), with their sources and
    top entities: two statements for all of them, none for no rows."""
    keys = list(dict.fromkeys(row[0] for row in rows))
    if not keys:
        return []
    listed = {row[0]: [s["slug"] for s in orjson.loads(row[_SOURCES_AT])] for row in rows}
    slugs = sorted({slug for story in listed.values() for slug in story})
    by_slug: dict[str, SourceRecord] = {}
    if slugs:
        for row in await fetch_rows(session, _SOURCES, {"slugs": slugs}):
            by_slug[row[0]] = source_from_row(row, 0)
    # The two statements may see different commits: a source deleted in between (after its
    # last article) is left out.
    sources = {pk: [by_slug[s] for s in story if s in by_slug] for pk, story in listed.items()}
    weighed: dict[int, list[StoryEntityRecord]] = {pk: [] for pk in keys}
    for story_pk, slug, name, type_, weight in await fetch_rows(
        session, _ENTITIES, {"stories": keys}
    ):
        # Rounded: the two databases may add the same saliences in different orders.
        weighed[story_pk].append(StoryEntityRecord(slug, name, type_, round(weight, 6)))
    top = {
        pk: sorted(entities, key=lambda e: (-e.weight, e.slug))[:TOP_ENTITIES]
        for pk, entities in weighed.items()
    }
    return [_story(row, sources[row[0]], top[row[0]]) for row in rows]


def _story(
    row: Sequence[Any], sources: list[SourceRecord], top: list[StoryEntityRecord]
) -> StoryRecord:
    pk, public_id, size, source_count, first, last, created, updated, _ = row[:_HEADLINE_AT]
    headline = None
    if row[_HEADLINE_AT] is not None:
        headline = article_ref_from_row(row, _HEADLINE_AT + 1)
    return StoryRecord(
        pk=pk,
        id=public_id,
        size=size,
        source_count=source_count,
        first_published_at=first,
        last_published_at=last,
        created_at=created,
        updated_at=updated,
        headline=headline,
        sources=sources,
        top_entities=top,
    )
