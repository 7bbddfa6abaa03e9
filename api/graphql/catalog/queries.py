"""The catalog fields of ``Query``: entities (one, or a page by name), sources, categories.

``trendingEntities`` is beside ``Entity.relatedEntities``, in ``entity_graph``.
"""

from __future__ import annotations

import strawberry

from api.domain.catalog import entity_cursor, list_categories, list_entities, list_sources
from api.domain.shared import CategoryRecord, EntityRecord, SourceRecord
from api.graphql.catalog import resolvers
from api.graphql.catalog.types import Category, Entity, Source
from api.graphql.core import inputs
from api.graphql.core.connections import Connection, PageInfo, itself
from api.graphql.core.context import Info
from api.graphql.core.errors import argument_names
from api.graphql.core.inputs import EntityType

EntityConnectionRow = Connection[EntityRecord, EntityRecord]


@strawberry.type
class EntityEdge:
    cursor: str
    node: Entity


@strawberry.type(description="A page of entities, by name.")
class EntityConnection:
    edges: list[EntityEdge]
    nodes: list[Entity]
    page_info: PageInfo


async def _entity(info: Info, slug: str) -> EntityRecord | None:
    return await resolvers.find_entity(info.context, slug)


async def _entities(
    info: Info,
    type: EntityType | None = None,
    query: str | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> EntityConnectionRow:
    limit = inputs.page_size(first)
    prefix = inputs.name_query(query)
    cursor = inputs.cursor(after)
    with argument_names(cursor="after"):
        page = await info.context.run(
            list_entities, entity_type=type, name_prefix=prefix, limit=limit, cursor=cursor
        )
    return Connection(page.items, page.next_cursor, entity_cursor, itself)


async def _source(info: Info, slug: str) -> SourceRecord | None:
    return await resolvers.find_source(info.context, slug)


async def _sources(info: Info) -> list[SourceRecord]:
    return await info.context.run(list_sources)


async def _categories(info: Info) -> list[CategoryRecord]:
    return await info.context.run(list_categories)


ENTITY = strawberry.field(
    resolver=_entity, graphql_type=Entity | None, description="An entity by slug."
)
ENTITIES = strawberry.field(
    resolver=_entities,
    graphql_type=EntityConnection,
    description="Entities by name; `query` is a case-insensitive name prefix.",
)
SOURCE = strawberry.field(
    resolver=_source, graphql_type=Source | None, description="A source by slug."
)
SOURCES = strawberry.field(
    resolver=_sources, graphql_type=list[Source], description="All sources, by name."
)
CATEGORIES = strawberry.field(
    resolver=_categories, graphql_type=list[Category], description="All categories, by name."
)
