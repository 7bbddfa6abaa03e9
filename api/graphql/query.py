"""The root query fields: each checks its arguments and makes one domain or loader call."""

from __future__ import annotations

import strawberry

from api.domain.catalog import list_categories, list_sources
from api.domain.shared import ArticleRecord, CategoryRecord, EntityRecord, SourceRecord
from api.graphql.articles import resolvers
from api.graphql.articles.resolvers import ArticleConnectionRow, EntityConnectionRow
from api.graphql.articles.types import Article
from api.graphql.catalog.entity_graph import TRENDING_ENTITIES
from api.graphql.catalog.types import Category, Entity, Node, Source
from api.graphql.core.connections import ArticleConnection, EntityConnection
from api.graphql.core.context import Info
from api.graphql.core.inputs import ArticleFilterInput, ArticleOrder, EntityType
from api.graphql.search import SEARCH_DESCRIPTION, SearchConnection, search_connection
from api.graphql.sync.changes import ChangePage, changes
from api.graphql.webhooks import queries as webhook_types


async def _article(
    info: Info, id: strawberry.ID | None = None, slug: str | None = None
) -> ArticleRecord | None:
    return await resolvers.find_article(info.context, id, slug)


async def _articles(
    info: Info,
    filter: ArticleFilterInput | None = None,
    order_by: ArticleOrder | None = ArticleOrder.NEWEST,
    first: int | None = 20,
    after: str | None = None,
) -> ArticleConnectionRow:
    return await resolvers.article_connection(info.context, filter, order_by, first, after)


async def _entity(info: Info, slug: str) -> EntityRecord | None:
    return await resolvers.find_entity(info.context, slug)


async def _entities(
    info: Info,
    type: EntityType | None = None,
    query: str | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> EntityConnectionRow:
    return await resolvers.entity_connection(info.context, type, query, first, after)


async def _source(info: Info, slug: str) -> SourceRecord | None:
    return await resolvers.find_source(info.context, slug)


async def _sources(info: Info) -> list[SourceRecord]:
    return await info.context.run(list_sources)


async def _categories(info: Info) -> list[CategoryRecord]:
    return await info.context.run(list_categories)


async def _node(
    info: Info, id: strawberry.ID
) -> ArticleRecord | EntityRecord | SourceRecord | CategoryRecord | None:
    return await resolvers.find_node(info.context, id)


@strawberry.type
class Query:
    article = strawberry.field(
        resolver=_article,
        graphql_type=Article | None,
        description=(
            "An article by `id` (its global id or its public `articleId`) or by `slug`: "
            "exactly one of them. Null when there is no such article; a deleted one is null "
            "with a GONE error (REST's 410)."
        ),
    )
    articles = strawberry.field(
        resolver=_articles,
        graphql_type=ArticleConnection,
        description="The feed: filtered, newest (or most important) first, `first` <= 100.",
    )
    search = strawberry.field(
        resolver=search_connection, graphql_type=SearchConnection, description=SEARCH_DESCRIPTION
    )
    entity = strawberry.field(
        resolver=_entity, graphql_type=Entity | None, description="An entity by slug."
    )
    entities = strawberry.field(
        resolver=_entities,
        graphql_type=EntityConnection,
        description="Entities by name; `query` is a case-insensitive name prefix.",
    )
    trending_entities = TRENDING_ENTITIES
    source = strawberry.field(
        resolver=_source, graphql_type=Source | None, description="A source by slug."
    )
    sources = strawberry.field(
        resolver=_sources, graphql_type=list[Source], description="All sources, by name."
    )
    categories = strawberry.field(
        resolver=_categories, graphql_type=list[Category], description="All categories, by name."
    )
    changes = strawberry.field(
        resolver=changes,
        graphql_type=ChangePage,
        description=(
            "Every committed create, update and delete, in commit order, after the cursor "
            "`since` (from the start without it); `first` <= 1000. REST: GET /v1/changes."
        ),
    )
    # --- Webhooks (need a write key) ---
    webhooks = strawberry.field(
        resolver=webhook_types.list_webhooks,
        graphql_type=list[webhook_types.Webhook],
        description="Webhook subscriptions (REST: GET /v1/webhooks); needs a write key.",
    )
    webhook = strawberry.field(
        resolver=webhook_types.get_webhook,
        graphql_type=webhook_types.Webhook | None,
        description="A webhook subscription by id, or null; needs a write key.",
    )
    node = strawberry.field(
        resolver=_node,
        graphql_type=Node | None,
        description="Any object by its global id; null for unknown or malformed ids.",
    )
