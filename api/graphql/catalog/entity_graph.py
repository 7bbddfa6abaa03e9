"""Entities through their articles: ``Entity.relatedEntities`` and ``Query.trendingEntities``.

The values behind the types are the domain's ``RelatedEntityRecord`` and ``TrendingRecord``;
the scoring and window rules are ``api.domain.catalog.entity_graph``'s, the same as REST's.
``relatedEntities`` runs per entity (two statements each): it is meant for an entity page,
and the node limit (``first`` multiplies down the tree) bounds how many a query can ask for.
"""

from __future__ import annotations

import datetime as dt
import enum

import strawberry

from api.domain.catalog import MAX_ENTITIES, trending
from api.domain.shared import EntityRecord, RelatedEntityRecord, TrendingRecord
from api.graphql.catalog.resolvers import DEFAULT_ENTITIES
from api.graphql.catalog.types import Entity
from api.graphql.core import inputs
from api.graphql.core.context import Info
from api.graphql.core.inputs import EntityType


@strawberry.enum(description="How far back trending looks: this window against the one before.")
class TrendingWindow(enum.Enum):
    HOURS_24 = "24h"
    DAYS_7 = "7d"


def _entity(root: strawberry.Parent[RelatedEntityRecord | TrendingRecord]) -> EntityRecord:
    return root.entity


@strawberry.type(description="An entity mentioned in the same articles as another.")
class RelatedEntity:
    entity = strawberry.field(resolver=_entity, graphql_type=Entity)
    count: int = strawberry.field(description="Articles mentioning both entities.")


def _current(root: strawberry.Parent[TrendingRecord]) -> int:
    return root.current


def _previous(root: strawberry.Parent[TrendingRecord]) -> int:
    return root.previous


@strawberry.type(description="An entity whose mentions grew in the window.")
class TrendingEntity:
    entity = strawberry.field(resolver=_entity, graphql_type=Entity)
    current_count: int = strawberry.field(
        resolver=_current, description="Articles mentioning it in the window."
    )
    previous_count: int = strawberry.field(
        resolver=_previous, description="In the window of equal length before."
    )
    growth: float = strawberry.field(description="(current - previous) / sqrt(previous + 1).")


async def _trending_entities(
    info: Info,
    window: TrendingWindow,
    first: int | None = DEFAULT_ENTITIES,
    type: EntityType | None = None,
    until: dt.datetime | None = None,
) -> list[TrendingRecord]:
    limit = inputs.page_size(first, default=DEFAULT_ENTITIES, maximum=MAX_ENTITIES)
    moment = inputs.instant("until", until)
    page = await info.context.run(
        trending, window=window.value, limit=limit, until=moment, entity_type=type
    )
    return page.items


TRENDING_ENTITIES = strawberry.field(
    resolver=_trending_entities,
    graphql_type=list[TrendingEntity],
    description=(
        "Entities by mention growth, `(current - previous) / sqrt(previous + 1)`, in the "
        "window against the one before; the window ends at `until`, else at the newest "
        "article's time. Only entities mentioned in the window; `first` <= 50."
    ),
)
