"""Response examples for the OpenAPI document (one sample story, reused by every route)."""

from __future__ import annotations

from typing import Any

from api.rest.contract.story_examples import ARTICLE_STORY, STORY_EXAMPLES

SOURCE: dict[str, Any] = {
    "slug": "crypto-briefing",
    "name": "Crypto Briefing",
    "homepage_url": "https://cryptobriefing.example",
    "feed_url": "https://cryptobriefing.example/feed",
    "logo_url": None,
}
CATEGORY: dict[str, Any] = {"slug": "ai", "name": "AI", "icon": "🧠"}
MENTION: dict[str, Any] = {
    "slug": "anthropic",
    "name": "Anthropic",
    "type": "company",
    "salience": 0.92,
    "sentiment": "bearish",
}
ENTITY: dict[str, Any] = {
    "slug": "anthropic",
    "name": "Anthropic",
    "type": "company",
    "aliases": [],
    "ticker": None,
    "wikidata_id": "Q116758847",
    "homepage_url": "https://anthropic.example",
    "description": "AI safety and research company.",
}
REF: dict[str, Any] = {
    "id": "0196f0c2-1b2a-7c3d-8e4f-5a6b7c8d9e0f",
    "slug": "export-rules-tighten-for-ai-labs",
    "title": "Export rules tighten for AI labs",
    "url": "https://cryptobriefing.example/2026/11/export-rules-tighten-for-ai-labs",
    "published_at": "2026-11-19T08:00:00+00:00",
    "source": {"slug": "crypto-briefing", "name": "Crypto Briefing"},
}
ARTICLE: dict[str, Any] = {
    "id": "0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d",
    "slug": "anthropic-faces-us-export-ban",
    "title": "Anthropic faces US export ban after review",
    "url": "https://cryptobriefing.example/2026/11/anthropic-faces-us-export-ban",
    "source": SOURCE,
    "author": "Editorial Team",
    "published_at": "2026-11-20T09:30:00+00:00",
    "created_at": "2026-11-20T09:31:00+00:00",
    "updated_at": "2026-11-20T09:31:00+00:00",
    "image_url": "https://cryptobriefing.example/images/export-ban.jpg",
    "image_credit": "Image via Crypto Briefing",
    "category": CATEGORY,
    "sentiment": "bearish",
    "sentiment_score": -0.6,
    "importance": 7,
    "summary": "A review recommends restricting exports of frontier models.",
    "analysis": ["The review follows months of debate.", "Markets reacted cautiously."],
    "key_takeaways": ["Export review concluded", "Ban proposed", "Decision due in weeks"],
    "language": "en",
    "version": 1,
    "entities": [MENTION],
    "entity_groups": [{"type": "company", "entities": [MENTION]}],
    "related_links": [{"kind": "follow_up", "score": 0.8, "article": REF}],
    "story": ARTICLE_STORY,
}
# A feed item is the article page minus what only the page carries.
PAGE_ONLY = {"analysis", "key_takeaways", "created_at", "entity_groups", "related_links"}
FEED_ITEM = {key: value for key, value in ARTICLE.items() if key not in PAGE_ONLY}
FEED: dict[str, Any] = {
    "items": [FEED_ITEM],
    "next_cursor": "WyJuZXdlc3QiLDE3OTMzOTY4MjEwMDAwMDAsMjk5XQ",
}
RELATED: dict[str, Any] = {
    "article_id": ARTICLE["id"],
    "items": [
        {
            "article": REF,
            "score": 0.8,
            "explanation": {"kind": "stored_link", "link_kind": "follow_up", "shared_entities": []},
        }
    ],
}
SEARCH: dict[str, Any] = {
    "items": [
        {
            "article": FEED_ITEM,
            "score": 12.84,
            "snippet": "A review recommends restricting exports of frontier models after the "
            "<mark>export ban</mark> debate &amp; months of review…",
        }
    ],
    "next_cursor": "WyJzZWFyY2giLDE3OTQwMDAwMDAwMDAwMDAsIjEyLjg0IiwyOTld",
}
RELATED["items"].append(
    {
        "article": {**REF, "id": "0196f0c2-2c3d-7e4f-8a5b-6c7d8e9f0a1b", "slug": "ai-chip-curbs"},
        "score": 1.4,
        "explanation": {
            "kind": "shared_entities",
            "link_kind": None,
            "shared_entities": [
                {"slug": "anthropic", "name": "Anthropic", "type": "company", "contribution": 1.1},
                {"slug": "nvidia", "name": "Nvidia", "type": "company", "contribution": 0.3},
            ],
        },
    }
)
RELATED_ENTITIES: dict[str, Any] = {
    "entity": "anthropic",
    "items": [{"entity": {**ENTITY, "slug": "openai", "name": "OpenAI"}, "count": 17}],
}
TRENDING: dict[str, Any] = {
    "window": "24h",
    "window_start": "2026-11-19T09:30:00+00:00",
    "window_end": "2026-11-20T09:30:00+00:00",
    "items": [{"entity": ENTITY, "current_count": 12, "previous_count": 3, "growth": 4.5}],
}
EXAMPLES: dict[str, Any] = {
    "listArticles": FEED,
    "searchArticles": SEARCH,
    "getArticle": ARTICLE,
    "listRelatedArticles": RELATED,
    "listSources": {"items": [SOURCE]},
    "getSource": SOURCE,
    "listSourceArticles": FEED,
    "listCategories": {"items": [CATEGORY]},
    "listEntities": {"items": [ENTITY], "next_cursor": None},
    "getEntity": {**ENTITY, "mention_count": 42},
    "listEntityArticles": FEED,
    "listRelatedEntities": RELATED_ENTITIES,
    "listTrendingEntities": TRENDING,
    "getHealth": {"status": "ok"},
    "getReadiness": {"status": "ready", "database": True, "migrations_at_head": True},
}
CHANGES: dict[str, Any] = {
    "items": [
        {
            "seq": 1041,
            "resource": "article",
            "op": "updated",
            "id": ARTICLE["id"],
            "version": 3,
            "at": "2026-11-27T09:14:03Z",
            "story_id": ARTICLE_STORY["id"],
        }
    ],
    "next_cursor": "WyJjaGFuZ2VzIiwxMDQxXQ",
}
EXAMPLES |= {
    "createArticle": ARTICLE,
    "replaceArticle": ARTICLE,
    "updateArticle": ARTICLE,
    "deleteArticle": ARTICLE,
    "listChanges": CHANGES,
    **{f"{verb}Source": SOURCE for verb in ("create", "replace", "update", "delete")},
    **{f"{verb}Entity": ENTITY for verb in ("create", "replace", "update", "delete")},
    "upsertArticles": {
        "items": [
            {
                "index": 0,
                "status": "created",
                "id": ARTICLE["id"],
                "version": 1,
                "invalid_params": [],
            },
            {
                "index": 1,
                "status": "error",
                "id": None,
                "version": None,
                "invalid_params": [{"name": "source", "reason": "no source with slug 'wyre'"}],
            },
        ],
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": 1,
    },
}

# Syndication feeds and the live stream (documents the doors render, abbreviated).
EXAMPLES |= {
    "getRssFeed": (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Broadsheet: category ai'
        "</title><link>https://news.example/v1/articles?category=ai</link>"
        f"<item><title>{ARTICLE['title']}</title><link>{ARTICLE['url']}</link>"
        "<category>AI</category></item></channel></rss>"
    ),
    "getAtomFeed": (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Broadsheet: category ai</title>"
        f'<entry><title>{ARTICLE["title"]}</title><link href="{ARTICLE["url"]}" '
        'rel="alternate" /><category term="ai" label="AI" /></entry></feed>'
    ),
    "getJsonFeed": {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Broadsheet: category ai",
        "home_page_url": "https://news.example/v1/articles?category=ai",
        "feed_url": "https://news.example/v1/feeds/json?category=ai",
        "description": "Broadsheet: category ai: the newest articles",
        "authors": [{"name": "Broadsheet"}],
        "items": [
            {
                "id": f"https://news.example/v1/articles/{ARTICLE['id']}",
                "url": ARTICLE["url"],
                "title": ARTICLE["title"],
                "summary": ARTICLE["summary"],
                "content_text": ARTICLE["summary"],
                "date_published": "2026-11-02T09:30:00Z",
                "date_modified": "2026-11-02T09:45:00Z",
                "tags": ["AI", "Anthropic"],
                "language": "en",
                "_broadsheet": {
                    "id": ARTICLE["id"],
                    "source": {"slug": SOURCE["slug"], "name": SOURCE["name"]},
                    "category": "ai",
                    "entities": ["anthropic"],
                    "sentiment": "bearish",
                    "importance": 8,
                },
            }
        ],
    },
    "streamArticles": (
        "retry: 3000\n\nid: Y2hhbmdlczo0Mg\n: open\n\n"
        "id: Y2hhbmdlczo0Mw\nevent: article.created\n"
        f'data: {{"id": "{ARTICLE["id"]}", "title": "{ARTICLE["title"]}"}}\n\n'
    ),
}
WEBHOOK: dict[str, Any] = {
    "id": "0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d",
    "url": "https://hooks.example/broadsheet",
    "description": "Market-moving AI stories",
    "event_types": ["article.created", "article.updated"],
    "entity": None,
    "category": "ai",
    "sentiment": None,
    "importance_min": 7,
    "active": True,
    "created_at": "2026-11-27T09:00:00Z",
    "updated_at": "2026-11-27T09:00:00Z",
    "version": 1,
}
DELIVERY: dict[str, Any] = {
    "id": "0196f0c2-9b1d-7e42-8a5c-3d2e1f0a9b8c",
    "event_type": "article.created",
    "resource_id": ARTICLE["id"],
    "status": "pending",
    "attempts": 2,
    "next_attempt_at": "2026-11-27T09:02:10Z",
    "last_status_code": 503,
    "last_error": "HTTP 503",
    "created_at": "2026-11-27T09:01:00Z",
    "delivered_at": None,
    "payload": {
        "type": "article.created",
        "timestamp": "2026-11-27T09:01:00Z",
        "data": {"id": ARTICLE["id"], "slug": ARTICLE["slug"], "version": 1},
    },
}
EXAMPLES |= {
    "createWebhook": WEBHOOK | {"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
    "listWebhooks": {"items": [WEBHOOK]},
    "getWebhook": WEBHOOK,
    "updateWebhook": WEBHOOK,
    "deleteWebhook": WEBHOOK,
    "listWebhookDeliveries": {"items": [DELIVERY], "next_cursor": None},
    "redeliverWebhook": DELIVERY | {"attempts": 0, "next_attempt_at": "2026-11-27T09:05:00Z"},
}
EXAMPLES |= STORY_EXAMPLES
