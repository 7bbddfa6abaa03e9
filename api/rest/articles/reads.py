"""Article read handlers: the feed, an article page and its related articles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import orjson

from api.domain import articles as article_documents
from api.domain import articles as article_writes
from api.domain import feed as feed_documents
from api.domain import purges, related, stories
from api.domain.shared import RelatedRecord
from api.errors import NotFound
from api.rest.core.operations import Call, Reply
from api.rest.core.params import FeedQuery, RelatedQuery
from api.rest.core.preconditions import version_prefix
from api.rest.core.views import article_document_view, article_ref_view
from api.rest.syndication.handlers import alternate_links


async def feed_reply(call: Call, scope: Any = None, scope_keys: Sequence[str] = ()) -> Reply:
    """A page of the feed, of every article or of a source's or entity's (``scope``, with
    the purge keys of that source or entity)."""
    query: FeedQuery = call.query
    if query.collapse == "story":
        scope = stories.collapsed_scope(scope)
    page = await feed_documents.article_page_documents(
        call.reads,
        query.to_filter(),
        fields=query.field_set(),
        order=query.order,
        limit=query.limit,
        cursor=query.cursor,
        scope=scope,
    )
    # The items arrive as JSON written by the database; orjson embeds them unparsed.
    return Reply(
        {"items": orjson.Fragment(page.items), "next_cursor": page.next_cursor},
        # "feed" (every list's key) is purged by every change: keys of the items would add
        # nothing but bytes and time.
        purge_keys=lambda: scope_keys,
    )


async def list_articles(call: Call) -> Reply:
    reply = await feed_reply(call)
    return replace(reply, headers={"Link": alternate_links(call.request)})


async def get_article(call: Call) -> Reply:
    found = await article_documents.article_document(call.reads, call.path["key"])
    if found is None:
        await article_writes.raise_if_deleted(call.reads, call.path["key"])
        raise NotFound(detail=f"no article with id or slug {call.path['key']!r}")
    document = article_document_view(orjson.loads(found.document))
    return Reply(
        document,
        last_modified=found.updated_at,
        etag_prefix=version_prefix(found.version),
        purge_keys=lambda: purges.article_page_keys(document),
    )


async def related_articles(call: Call) -> Reply:
    query: RelatedQuery = call.query
    found = await related.related_page(
        call.session,
        call.path["key"],
        limit=query.limit,
        entity_type=query.entity_type,
        published_after=query.published_after,
    )
    if found is None:
        raise NotFound(detail=f"no article with id or slug {call.path['key']!r}")
    article_id, items = found
    return Reply({"article_id": article_id, "items": [related_item_view(i) for i in items]})


def related_item_view(item: RelatedRecord) -> dict[str, Any]:
    """A related article as REST JSON (``RelatedItem``), with why it is related."""
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
