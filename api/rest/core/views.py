"""Domain records to REST JSON shapes (plain dicts, described by api.rest.core.responses)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from api.domain.shared import (
    ArticleRecord,
    ArticleRefRecord,
    CategoryRecord,
    EntityRecord,
    LinkRecord,
    MentionRecord,
    SourceRecord,
)
from api.models.enums import EntityType


def source_view(source: SourceRecord) -> dict[str, Any]:
    return {
        "slug": source.slug,
        "name": source.name,
        "homepage_url": source.homepage_url,
        "feed_url": source.feed_url,
        "logo_url": source.logo_url,
    }


def category_view(category: CategoryRecord | None) -> dict[str, Any] | None:
    if category is None:
        return None
    return {"slug": category.slug, "name": category.name, "icon": category.icon}


def mention_view(mention: MentionRecord) -> dict[str, Any]:
    return {
        "slug": mention.slug,
        "name": mention.name,
        "type": mention.type,
        "salience": mention.salience,
        "sentiment": mention.sentiment,
    }


def entity_groups(mentions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mention views grouped by entity type, in the type vocabulary's order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for mention in mentions:
        groups.setdefault(mention["type"], []).append(mention)
    return [
        {"type": kind.value, "entities": groups[kind.value]}
        for kind in EntityType
        if kind.value in groups
    ]


def article_ref_view(ref: ArticleRefRecord) -> dict[str, Any]:
    return {
        "id": ref.id,
        "slug": ref.slug,
        "title": ref.title,
        "url": ref.url,
        "published_at": ref.published_at,
        "source": {"slug": ref.source.slug, "name": ref.source.name},
    }


def related_link_item(link: LinkRecord) -> dict[str, Any]:
    return {
        "article": article_ref_view(link.article),
        "score": link.score,
        "explanation": {"kind": "stored_link", "link_kind": link.kind, "shared_entities": []},
    }


_FEED_GETTERS: dict[str, Any] = {
    "slug": lambda a: a.slug,
    "title": lambda a: a.title,
    "url": lambda a: a.url,
    "source": lambda a: source_view(a.source),
    "author": lambda a: a.author,
    "published_at": lambda a: a.published_at,
    "updated_at": lambda a: a.updated_at,
    "image_url": lambda a: a.image_url,
    "image_credit": lambda a: a.image_credit,
    "category": lambda a: category_view(a.category),
    "sentiment": lambda a: a.sentiment,
    "sentiment_score": lambda a: a.sentiment_score,
    "importance": lambda a: a.importance,
    "summary": lambda a: a.summary,
    "language": lambda a: a.language,
    "version": lambda a: a.version,
    "entities": lambda a: [mention_view(m) for m in a.mentions or ()],
    "analysis": lambda a: a.analysis,
    "key_takeaways": lambda a: a.key_takeaways,
    "story": lambda a: a.story,
}


def feed_item_view(article: ArticleRecord, fields: Iterable[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"id": article.id}
    for name in fields:
        if name != "id":
            item[name] = _FEED_GETTERS[name](article)
    return item


def article_document_view(document: dict[str, Any]) -> dict[str, Any]:
    """An article as the database wrote it (api.domain.articles.documents), plus its
    mentions grouped by entity type."""
    document["entity_groups"] = entity_groups(document["entities"])
    return document


def entity_view(entity: EntityRecord) -> dict[str, Any]:
    view: dict[str, Any] = {
        "slug": entity.slug,
        "name": entity.name,
        "type": entity.type,
        "aliases": entity.aliases,
        "ticker": entity.ticker,
        "wikidata_id": entity.wikidata_id,
        "homepage_url": entity.homepage_url,
        "description": entity.description,
    }
    if entity.mention_count is not None:
        view["mention_count"] = entity.mention_count
    return view
