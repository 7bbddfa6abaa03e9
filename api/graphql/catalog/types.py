"""GraphQL object types over the domain's records: Source, Category, Entity, Mention.

The runtime value behind each type is a domain record (``SourceRecord``,
``CategoryRecord``, ``EntityRecord`` or, for an entity reached through an article, its
``MentionRecord``); strawberry reads most fields as plain attributes. Resolvers, passed as
``strawberry.field(resolver=...)`` so they stay typed, exist only where a value is derived
(ids) or may need loading.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.domain.shared import (
    CategoryRecord,
    EntityRecord,
    MentionRecord,
    RelatedEntityRecord,
    SourceRecord,
)
from api.graphql.articles.queries import ArticleConnection, ArticleConnectionRow, scoped_articles
from api.graphql.catalog import resolvers
from api.graphql.core.context import Info
from api.graphql.core.ids import Node, ResolveInfo, to_global_id
from api.graphql.core.inputs import ArticleFilterInput, ArticleOrder, EntityType, Sentiment

if TYPE_CHECKING:
    from api.graphql.catalog.entity_graph import RelatedEntity

AnyEntity = EntityRecord | MentionRecord
LazyRelatedEntity = Annotated["RelatedEntity", strawberry.lazy("api.graphql.catalog.entity_graph")]


def _source_id(root: strawberry.Parent[SourceRecord]) -> strawberry.ID:
    return strawberry.ID(to_global_id("Source", root.slug))


async def _source_articles(
    root: strawberry.Parent[SourceRecord],
    info: Info,
    filter: ArticleFilterInput | None = None,
    order_by: ArticleOrder | None = ArticleOrder.NEWEST,
    first: int | None = 20,
    after: str | None = None,
) -> ArticleConnectionRow:
    return await scoped_articles(info.context, "source", root.slug, filter, order_by, first, after)


@strawberry.type(description="A publisher.")
class Source(Node):
    id: strawberry.ID = strawberry.field(
        resolver=_source_id, description="Global id (`node(id:)`); the key is the slug."
    )
    slug: str
    name: str
    homepage_url: str
    feed_url: str | None
    logo_url: str | None
    articles = strawberry.field(
        resolver=_source_articles,
        graphql_type=ArticleConnection,
        description="The source's articles, newest first.",
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: ResolveInfo) -> bool:
        return isinstance(obj, SourceRecord)


def _category_id(root: strawberry.Parent[CategoryRecord]) -> strawberry.ID:
    return strawberry.ID(to_global_id("Category", root.slug))


@strawberry.type(description="An editorial category, with an icon.")
class Category(Node):
    id: strawberry.ID = strawberry.field(
        resolver=_category_id, description="Global id (`node(id:)`); the key is the slug."
    )
    slug: str
    name: str
    icon: str

    @classmethod
    def is_type_of(cls, obj: Any, _info: ResolveInfo) -> bool:
        return isinstance(obj, CategoryRecord)


def _entity_id(root: strawberry.Parent[AnyEntity]) -> strawberry.ID:
    return strawberry.ID(to_global_id("Entity", root.slug))


async def _aliases(root: strawberry.Parent[AnyEntity], info: Info) -> list[str]:
    return (await resolvers.entity_details(info.context, root)).aliases


async def _ticker(root: strawberry.Parent[AnyEntity], info: Info) -> str | None:
    return (await resolvers.entity_details(info.context, root)).ticker


async def _wikidata_id(root: strawberry.Parent[AnyEntity], info: Info) -> str | None:
    return (await resolvers.entity_details(info.context, root)).wikidata_id


async def _homepage_url(root: strawberry.Parent[AnyEntity], info: Info) -> str | None:
    return (await resolvers.entity_details(info.context, root)).homepage_url


async def _description(root: strawberry.Parent[AnyEntity], info: Info) -> str | None:
    return (await resolvers.entity_details(info.context, root)).description


def _mention_count(root: strawberry.Parent[AnyEntity], info: Info) -> int | Awaitable[int]:
    if isinstance(root, EntityRecord) and root.mention_count is not None:
        return root.mention_count
    return info.context.loaders.mention_count_by_entity.load(root.slug)


async def _entity_articles(
    root: strawberry.Parent[AnyEntity],
    info: Info,
    filter: ArticleFilterInput | None = None,
    order_by: ArticleOrder | None = ArticleOrder.NEWEST,
    first: int | None = 20,
    after: str | None = None,
) -> ArticleConnectionRow:
    return await scoped_articles(info.context, "entity", root.slug, filter, order_by, first, after)


async def _related_entities(
    root: strawberry.Parent[AnyEntity], info: Info, first: int | None = 20
) -> list[RelatedEntityRecord]:
    return await resolvers.related_entities(info.context, root.slug, first)


@strawberry.type(description="Something articles mention: a company, person, token, country...")
class Entity(Node):
    id: strawberry.ID = strawberry.field(
        resolver=_entity_id, description="Global id (`node(id:)`); the key is the slug."
    )
    slug: str
    name: str
    type: EntityType
    # Mentions carry only slug, name and type; the rest loads (batched) when asked for.
    aliases: list[str] = strawberry.field(resolver=_aliases)
    ticker: str | None = strawberry.field(
        resolver=_ticker, description="Ticker symbol, for listed companies and tokens."
    )
    wikidata_id: str | None = strawberry.field(resolver=_wikidata_id)
    homepage_url: str | None = strawberry.field(resolver=_homepage_url)
    description: str | None = strawberry.field(resolver=_description)
    mention_count = strawberry.field(
        resolver=_mention_count,
        graphql_type=int,
        description="How many articles mention this entity.",
    )
    articles = strawberry.field(
        resolver=_entity_articles,
        graphql_type=ArticleConnection,
        description="Articles mentioning this entity, newest first.",
    )
    related_entities = strawberry.field(
        resolver=_related_entities,
        graphql_type=list[LazyRelatedEntity],
        description="Entities mentioned in the same articles, most often first; `first` <= 50.",
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: ResolveInfo) -> bool:
        return isinstance(obj, EntityRecord | MentionRecord)


def _mentioned(root: strawberry.Parent[MentionRecord]) -> MentionRecord:
    return root


@strawberry.type(description="An entity as one article mentions it.")
class Mention:
    entity = strawberry.field(resolver=_mentioned, graphql_type=Entity)
    salience: float = strawberry.field(description="How central the entity is to the story, 0-1.")
    sentiment: Sentiment | None = strawberry.field(description="The story's stance on it.")
