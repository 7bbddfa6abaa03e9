"""An article's story as the article-side reads need it: the story object its document
carries, and the narrowing of the feed to one article per story."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, String, and_, bindparam, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import fetch_rows
from api.domain.shared import json_sql
from api.domain.stories.json import article_story
from api.models import Article, Story, StoryMember


async def story_refs_by_article(
    session: AsyncSession, article_pks: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """Each article's story as its document carries it (``json.article_story``), for the
    articles whose story holds others too: one statement, whatever it finds."""
    keys = list(dict.fromkeys(article_pks))
    if not keys:
        return {}
    dialect = session.get_bind().dialect.name
    rows = await fetch_rows(session, _story_refs(dialect), {"keys": keys})
    return {pk: orjson.loads(story) for pk, story in rows if story is not None}


@functools.cache
def _story_refs(dialect: str) -> Select[Any]:
    story = literal_column(json_sql.as_text(dialect, article_story(dialect)), String)
    columns: tuple[Any, ...] = (Article.id, story)
    stmt: Select[Any] = select(*columns).where(Article.id.in_(bindparam("keys", expanding=True)))
    return stmt


def collapsed_scope(within: ColumnElement[bool] | None = None) -> ColumnElement[bool]:
    """Narrows the feed (already narrowed to ``within``, if given) to one article per
    story: the story's headline (the most important member, then the earliest), and every
    article that is alone or not clustered yet.

    Keyset paging over the narrowed feed then returns every story exactly once.
    """
    represented = (
        select(StoryMember.article_id)
        .join(Story, Story.id == StoryMember.story_id)
        .where(
            StoryMember.article_id == Article.id,
            Story.headline_article_id.is_not(None),
            Story.headline_article_id != Article.id,
        )
        .exists()
    )
    return ~represented if within is None else and_(within, ~represented)
