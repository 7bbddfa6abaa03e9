"""The catalog: sources, categories and entities, their writes, and the entity graph."""

from api.domain.catalog.entity_graph import MAX_ENTITIES, co_occurring, trending
from api.domain.catalog.inputs import EntityCreate, EntityUpdate, SourceCreate, SourceUpdate
from api.domain.catalog.reads import (
    entities_by_slug,
    entity_cursor,
    entity_scope,
    get_category,
    get_entity,
    get_source,
    list_categories,
    list_entities,
    list_sources,
    mention_counts,
    source_scope,
)
from api.domain.catalog.writes import NAMES, Catalog, change, create, delete

__all__ = [
    "MAX_ENTITIES",
    "NAMES",
    "Catalog",
    "EntityCreate",
    "EntityUpdate",
    "SourceCreate",
    "SourceUpdate",
    "change",
    "co_occurring",
    "create",
    "delete",
    "entities_by_slug",
    "entity_cursor",
    "entity_scope",
    "get_category",
    "get_entity",
    "get_source",
    "list_categories",
    "list_entities",
    "list_sources",
    "mention_counts",
    "source_scope",
    "trending",
]
