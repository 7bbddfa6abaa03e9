"""Related articles, co-occurring and trending entities as REST JSON (api.rest.core.responses)."""

from __future__ import annotations

from typing import Any

from api.domain.shared import RelatedEntityRecord, RelatedRecord, TrendingPageRecord
from api.rest.core.views import article_ref_view, entity_view


def related_item_view(item: RelatedRecord) -> dict[str, Any]:
    explanation: dict[str, Any]
    if item.link_kind is not None:
        explanation = {"kind": "stored_link", "link_kind": item.link_kind, "shared_entities": []}
    else:
        shared = [
            {"slug": s.slug, "name": s.name, "type": s.type, "contribution": s.contribution}
            for s in item.shared_entities or ()
        ]
        explanation = {"kind": "shared_entities", "link_kind": None, "shared_entities": shared}
    return {
        "article": article_ref_view(item.article),
        "score": item.score,
        "explanation": explanation,
    }


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
