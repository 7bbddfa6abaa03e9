"""The entity graph's handlers: co-occurring entities and trending entities."""

from __future__ import annotations

from typing import Any

from api.domain import catalog as entity_graph
from api.domain.shared import RelatedEntityRecord, TrendingPageRecord
from api.errors import NotFound
from api.rest.core.operations import Call, Reply
from api.rest.core.params import RelatedEntitiesQuery, TrendingQuery
from api.rest.core.views import entity_view


async def related_entities(call: Call) -> Reply:
    query: RelatedEntitiesQuery = call.query
    slug = call.path["slug"]
    found = await entity_graph.co_occurring(call.session, slug, limit=query.limit)
    if found is None:
        raise NotFound(detail=f"no entity with slug {slug!r}")
    return Reply({"entity": slug, "items": [related_entity_view(item) for item in found]})


async def trending_entities(call: Call) -> Reply:
    query: TrendingQuery = call.query
    page = await entity_graph.trending(
        call.session,
        window=query.window,
        limit=query.limit,
        until=query.until,
        entity_type=query.type,
    )
    return Reply(trending_view(query.window, page))


def related_entity_view(item: RelatedEntityRecord) -> dict[str, Any]:
    return {"entity": entity_view(item.entity), "count": item.count}


def trending_view(window: str, page: TrendingPageRecord) -> dict[str, Any]:
    return {
        "window": window,
        "window_start": page.window_start,
        "window_end": page.window_end,
        "items": [
            {
                "entity": entity_view(t.entity),
                "current_count": t.current,
                "previous_count": t.previous,
                "growth": t.growth,
            }
            for t in page.items
        ],
    }
