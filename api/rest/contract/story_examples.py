"""Response examples of the stories tag (the export-ban story told by three sources)."""

from __future__ import annotations

from typing import Any

STORY_SOURCES: list[dict[str, Any]] = [
    {"slug": "crypto-briefing", "name": "Crypto Briefing"},
    {"slug": "the-data-desk", "name": "The Data Desk"},
    {"slug": "market-wire", "name": "Market Wire"},
]
# What an article document carries: its story, when other articles tell it too.
ARTICLE_STORY: dict[str, Any] = {
    "id": "0196f0c3-0a1b-7c2d-8e3f-4a5b6c7d8e9f",
    "size": 3,
    "first_published_at": "2026-11-20T09:30:00+00:00",
    "sources": STORY_SOURCES,
}
_HEADLINE: dict[str, Any] = {
    "id": "0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d",
    "slug": "anthropic-faces-us-export-ban",
    "title": "Anthropic faces US export ban after review",
    "url": "https://cryptobriefing.example/2026/11/anthropic-faces-us-export-ban",
    "published_at": "2026-11-20T09:30:00+00:00",
    "source": STORY_SOURCES[0],
}
_ENTITIES: list[dict[str, Any]] = [
    {"slug": "anthropic", "name": "Anthropic", "type": "company", "weight": 2.61},
    {"slug": "united-states", "name": "United States", "type": "country", "weight": 1.4},
]
STORY: dict[str, Any] = {
    "id": ARTICLE_STORY["id"],
    "size": 3,
    "source_count": 3,
    "first_published_at": "2026-11-20T09:30:00+00:00",
    "last_published_at": "2026-11-20T14:05:00+00:00",
    "updated_at": "2026-11-20T14:05:02+00:00",
    "headline": _HEADLINE,
    "sources": STORY_SOURCES,
    "top_entities": _ENTITIES,
}
_FOLLOWER: dict[str, Any] = {
    "id": "0196f0c4-3c4d-7e5f-8a6b-7c8d9e0f1a2b",
    "slug": "us-weighs-curbs-on-anthropic-models",
    "title": "US weighs curbs on Anthropic's models",
    "url": "https://datadesk.example/us-weighs-curbs-on-anthropic-models",
    "published_at": "2026-11-20T11:10:00+00:00",
    "source": STORY_SOURCES[1],
}
STORY_DETAIL: dict[str, Any] = {
    **STORY,
    "articles": [
        {
            "article": _HEADLINE,
            "score": 1.0,
            "joined_at": "2026-11-20T09:31:00+00:00",
            "explanation": {
                "evidence": "founder",
                "matched_article_id": None,
                "text_similarity": None,
                "hours_apart": None,
                "shared_entities": [],
            },
        },
        {
            "article": _FOLLOWER,
            "score": 0.82,
            "joined_at": "2026-11-20T11:11:00+00:00",
            "explanation": {
                "evidence": "similarity",
                "matched_article_id": _HEADLINE["id"],
                "text_similarity": 0.58,
                "hours_apart": 1.67,
                "shared_entities": _ENTITIES,
            },
        },
    ],
}
STORY_EXAMPLES: dict[str, Any] = {
    "listStories": {"items": [STORY], "next_cursor": "WyJzdG9yaWVzIiwxNzk0MDAwMDAwMDAwMDAwLDQyXQ"},
    "getStory": STORY_DETAIL,
}
