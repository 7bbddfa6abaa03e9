"""Per-request DataLoaders: one domain batch call per field per nesting level, never per row.

Each loader turns the domain's ``{key: value}`` batch answer into the list, in key order,
that DataLoader expects. They live for one request, so their cache never goes stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.domain.articles import (
    articles_by_public_id,
    bodies_by_article,
    links_by_article,
    mentions_by_article,
)
from api.domain.catalog import entities_by_slug, mention_counts
from api.domain.related import related_by_article
from api.domain.shared import ArticleRecord, EntityRecord, LinkRecord, MentionRecord, RelatedRecord
from api.domain.shared.records import StoryMemberRecord, StoryRecord
from api.domain.stories import members_by_story, stories_by_article
from api.models import EntityType

if TYPE_CHECKING:
    from api.graphql.core.context import SessionGate

K = TypeVar("K")
V = TypeVar("V")
# Keeps every IN (...) list well below SQLite's and asyncpg's bind-parameter limits.
MAX_BATCH = 1000
Body = tuple[list[str], list[str]]


def _batch(
    run: SessionGate,
    fetch: Callable[[AsyncSession, Iterable[K]], Awaitable[Mapping[K, V]]],
    missing: Callable[[], V],
) -> Callable[[list[K]], Awaitable[list[V]]]:
    async def load(keys: list[K]) -> list[V]:
        found = await run(fetch, keys)
        return [found[key] if key in found else missing() for key in keys]

    return load


class MentionsByArticleLoader(DataLoader[int, list[MentionRecord]]):
    def __init__(self, run: SessionGate) -> None:
        super().__init__(_batch(run, mentions_by_article, list), max_batch_size=MAX_BATCH)


class LinksByArticleLoader(DataLoader[int, list[LinkRecord]]):
    def __init__(self, run: SessionGate) -> None:
        super().__init__(_batch(run, links_by_article, list), max_batch_size=MAX_BATCH)


class BodyByArticleLoader(DataLoader[int, Body]):
    def __init__(self, run: SessionGate) -> None:
        super().__init__(_batch(run, bodies_by_article, lambda: ([], [])), max_batch_size=MAX_BATCH)


class MentionCountByEntityLoader(DataLoader[str, int]):
    def __init__(self, run: SessionGate) -> None:
        super().__init__(_batch(run, mention_counts, int), max_batch_size=MAX_BATCH)


class ArticleByIdLoader(DataLoader[str, ArticleRecord | None]):
    """Articles by public id, without body or relations (those have their own loaders)."""

    def __init__(self, run: SessionGate) -> None:
        super().__init__(_batch(run, articles_by_public_id, lambda: None), max_batch_size=MAX_BATCH)


class EntityBySlugLoader(DataLoader[str, EntityRecord | None]):
    """Full entity records for entities first reached through a mention."""

    def __init__(self, run: SessionGate) -> None:
        super().__init__(_batch(run, entities_by_slug, lambda: None), max_batch_size=MAX_BATCH)


class StoryByArticleLoader(DataLoader[int, StoryRecord | None]):
    """An article's story when it holds others too (three statements per page)."""

    def __init__(self, run: SessionGate) -> None:
        super().__init__(_batch(run, stories_by_article, lambda: None), max_batch_size=MAX_BATCH)


class MembersByStoryLoader(DataLoader[int, list[StoryMemberRecord]]):
    """A story's articles with their memberships (one statement per level)."""

    def __init__(self, run: SessionGate) -> None:
        super().__init__(_batch(run, members_by_story, list), max_batch_size=MAX_BATCH)


@dataclass(frozen=True, slots=True)
class RelatedKey:
    """One ``Article.related`` call: the article and the field's arguments."""

    article_pk: int
    limit: int
    entity_type: EntityType | None
    published_after: dt.datetime | None


class RelatedByArticleLoader(DataLoader[RelatedKey, list[RelatedRecord]]):
    """Related articles of a whole page in one domain call (four statements) per argument set."""

    def __init__(self, run: SessionGate) -> None:
        async def load(keys: list[RelatedKey]) -> list[list[RelatedRecord]]:
            groups: dict[tuple[int, EntityType | None, dt.datetime | None], list[int]] = {}
            for key in keys:
                groups.setdefault((key.limit, key.entity_type, key.published_after), []).append(
                    key.article_pk
                )
            found: dict[RelatedKey, list[RelatedRecord]] = {}
            for (limit, entity_type, after), pks in groups.items():
                batch = await run(
                    related_by_article,
                    pks,
                    limit=limit,
                    entity_type=entity_type,
                    published_after=after,
                )
                for pk, items in batch.items():
                    found[RelatedKey(pk, limit, entity_type, after)] = items
            return [found[key] for key in keys]

        # A page is at most 100 articles: one batch. Bound the candidate statement's size.
        super().__init__(load, max_batch_size=100)


class Loaders:
    """The request's loaders, created eagerly: a DataLoader costs nothing until used."""

    __slots__ = (
        "article_by_id",
        "body_by_article",
        "entity_by_slug",
        "links_by_article",
        "members_by_story",
        "mention_count_by_entity",
        "mentions_by_article",
        "related_by_article",
        "story_by_article",
    )

    def __init__(self, run: SessionGate) -> None:
        self.mentions_by_article = MentionsByArticleLoader(run)
        self.links_by_article = LinksByArticleLoader(run)
        self.body_by_article = BodyByArticleLoader(run)
        self.mention_count_by_entity = MentionCountByEntityLoader(run)
        self.article_by_id = ArticleByIdLoader(run)
        self.entity_by_slug = EntityBySlugLoader(run)
        self.related_by_article = RelatedByArticleLoader(run)
        self.story_by_article = StoryByArticleLoader(run)
        self.members_by_story = MembersByStoryLoader(run)
