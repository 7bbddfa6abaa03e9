"""The Article type and what hangs off it: mentions, body, stored links, related articles.

The value behind ``Article`` is an ``ArticleRecord``. Feed reads leave its body and
relations unloaded (``None``); their resolvers then go through the request's loaders, so
a page of any size costs one statement per relation. The catalog's types (source,
category, entities) are referenced lazily: the catalog lists articles, so it imports this.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.domain.shared import ArticleRecord, MentionRecord
from api.domain.shared.records import StoryRecord
from api.graphql.articles import resolvers
from api.graphql.articles.related import RelatedItemRow, SharedEntityRow, related_items
from api.graphql.articles.resolvers import RelatedLinkRow
from api.graphql.core.context import Info
from api.graphql.core.ids import Node, ResolveInfo, to_global_id
from api.graphql.core.inputs import EntityType, LinkKind, Sentiment

if TYPE_CHECKING:
    from api.graphql.catalog.types import Category, Entity, Mention, Source
    from api.graphql.stories.types import Story

CATALOG_TYPES = "api.graphql.catalog.types"
LazyCategory = Annotated["Category", strawberry.lazy(CATALOG_TYPES)]
LazyEntity = Annotated["Entity", strawberry.lazy(CATALOG_TYPES)]
LazyMention = Annotated["Mention", strawberry.lazy(CATALOG_TYPES)]
LazySource = Annotated["Source", strawberry.lazy(CATALOG_TYPES)]
LazyStory = Annotated["Story", strawberry.lazy("api.graphql.stories.types")]


@strawberry.enum(description="Why an article is related: a stored link's kind, or shared entities.")
class RelatedKind(enum.StrEnum):
    SAME_STORY = "same_story"
    FOLLOW_UP = "follow_up"
    BACKGROUND = "background"
    ANALYSIS = "analysis"
    OPINION = "opinion"
    SHARED_ENTITIES = "shared_entities"


def _shared_entity(root: strawberry.Parent[SharedEntityRow]) -> MentionRecord:
    return root.entity


@strawberry.type(description="An entity both articles mention, and its part of the score.")
class SharedEntity:
    entity = strawberry.field(resolver=_shared_entity, graphql_type=LazyEntity)
    contribution: float = strawberry.field(
        description="idf x salience in both articles x time decay; they add up to the score."
    )


@strawberry.type(description="Why two articles are related.")
class RelatedExplanation:
    kind: RelatedKind
    link_kind: LinkKind | None = strawberry.field(description="For stored links: the link's kind.")
    shared_entities: list[SharedEntity] = strawberry.field(
        description="For shared entities: each one, largest contribution first; else empty."
    )


@strawberry.type(description="A stored link: an editor or pipeline said these belong together.")
class RelatedLink:
    kind: LinkKind
    score: float | None = strawberry.field(description="0-1 when the linker gave one.")
    article: Article


@strawberry.type(description="A related article, scored and explained.")
class RelatedItem:
    article: Article
    score: float | None
    explanation: RelatedExplanation


def _article_id(root: strawberry.Parent[ArticleRecord]) -> strawberry.ID:
    return strawberry.ID(to_global_id("Article", root.id))


def _public_id(root: strawberry.Parent[ArticleRecord]) -> str:
    return root.id


def _mentions(
    root: strawberry.Parent[ArticleRecord], info: Info
) -> list[MentionRecord] | Awaitable[list[MentionRecord]]:
    if root.mentions is not None:
        return root.mentions
    return info.context.loaders.mentions_by_article.load(root.pk)


async def _entities(
    root: strawberry.Parent[ArticleRecord], info: Info, type: EntityType | None = None
) -> list[MentionRecord]:
    mentions = await resolvers.mentions_of(info.context, root)
    return mentions if type is None else [m for m in mentions if m.type == type]


async def _key_takeaways(root: strawberry.Parent[ArticleRecord], info: Info) -> list[str]:
    if root.key_takeaways is not None:
        return root.key_takeaways
    return (await info.context.loaders.body_by_article.load(root.pk))[1]


async def _analysis(root: strawberry.Parent[ArticleRecord], info: Info) -> list[str]:
    if root.analysis is not None:
        return root.analysis
    return (await info.context.loaders.body_by_article.load(root.pk))[0]


async def _related_links(
    root: strawberry.Parent[ArticleRecord], info: Info
) -> list[RelatedLinkRow]:
    return await resolvers.related_links(info.context, root)


async def _related(
    root: strawberry.Parent[ArticleRecord],
    info: Info,
    first: int | None = 10,
    entity_type: EntityType | None = None,
    published_after: dt.datetime | None = None,
) -> list[RelatedItemRow]:
    return await related_items(info.context, root, first, entity_type, published_after)


async def _story(root: strawberry.Parent[ArticleRecord], info: Info) -> StoryRecord | None:
    return await info.context.loaders.story_by_article.load(root.pk)


@strawberry.type(description="A news article with its source, category and body.")
class Article(Node):
    id: strawberry.ID = strawberry.field(
        resolver=_article_id, description="Global id (`node(id:)`); the key is `articleId`."
    )
    article_id: str = strawberry.field(
        resolver=_public_id, description="The public id, as REST uses it (a UUIDv7)."
    )
    slug: str
    title: str
    url: str = strawberry.field(description='The publisher\'s canonical URL ("Read original").')
    author: str | None
    published_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    image_url: str | None
    image_credit: str | None
    sentiment: Sentiment
    sentiment_score: float | None = strawberry.field(description="-1 (bearish) to 1 (bullish).")
    importance: int = strawberry.field(description="Editorial importance, 1-10.")
    summary: str
    language: str
    version: int = strawberry.field(description="Bumped on every change.")
    source: LazySource
    category: LazyCategory | None
    mentions = strawberry.field(
        resolver=_mentions,
        graphql_type=list[LazyMention],
        description="Mentioned entities, most salient first.",
    )
    entities = strawberry.field(
        resolver=_entities,
        graphql_type=list[LazyEntity],
        description="Mentioned entities, most salient first, optionally of one type.",
    )
    key_takeaways: list[str] = strawberry.field(
        resolver=_key_takeaways, description="Short sentences, in order."
    )
    analysis: list[str] = strawberry.field(
        resolver=_analysis, description="Analysis paragraphs, in order."
    )
    related_links = strawberry.field(
        resolver=_related_links,
        graphql_type=list[RelatedLink],
        description="Stored links to other articles, strongest first.",
    )
    related = strawberry.field(
        resolver=_related,
        graphql_type=list[RelatedItem],
        description=(
            "Related articles, one per article (`first` at most 50): stored links first (by "
            "link score, then kind), then articles ranked by shared entities, each scored "
            "and explained as REST's `/v1/articles/{key}/related` does. `entityType` counts "
            "only shared entities of that type; `publishedAfter` (inclusive) filters both."
        ),
    )

    story = strawberry.field(
        resolver=_story,
        graphql_type=LazyStory | None,
        description="The story it tells with other sources; null when no other article does.",
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: ResolveInfo) -> bool:
        return isinstance(obj, ArticleRecord)
