"""REST handlers: translate a validated call into one domain call and shape the reply."""

from __future__ import annotations

from typing import Any

import orjson

from api.domain import articles as article_documents
from api.domain import articles as article_writes
from api.domain import catalog, related, search
from api.domain import catalog as entity_graph
from api.domain import feed as feed_documents
from api.errors import Gone, NotFound
from api.rest.core.operations import Call, Reply
from api.rest.core.params import (
    EntityListQuery,
    FeedQuery,
    RelatedEntitiesQuery,
    RelatedQuery,
    SearchQuery,
    TrendingQuery,
)
from api.rest.core.preconditions import version_prefix
from api.rest.core.views import (
    article_document_view,
    category_view,
    entity_view,
    feed_item_view,
    source_view,
)
from api.rest.related_views import related_entity_view, related_item_view, trending_view
from api.rest.syndication.handlers import alternate_links


async def _feed_reply(call: Call, scope: Any = None) -> Reply:
    query: FeedQuery = call.query
    page = await feed_documents.article_page_documents(
        call.session,
        query.to_filter(),
        fields=query.field_set(),
        order=query.order,
        limit=query.limit,
        cursor=query.cursor,
        scope=scope,
    )
    # The items arrive as JSON written by the database; orjson embeds them unparsed.
    return Reply({"items": orjson.Fragment(page.items), "next_cursor": page.next_cursor})


async def list_articles(call: Call) -> Reply:
    reply = await _feed_reply(call)
    return Reply(reply.payload, headers={"Link": alternate_links(call.request)})


async def search_articles(call: Call) -> Reply:
    query: SearchQuery = call.query
    fields = query.field_set()
    page = await search.search_page(
        call.session,
        query.q,
        query.to_filter(),
        limit=query.limit,
        cursor=query.cursor,
        with_body=bool(fields & {"analysis", "key_takeaways"}),
        with_mentions="entities" in fields,
    )
    items = [
        {"article": feed_item_view(hit.article, fields), "score": hit.score, "snippet": hit.snippet}
        for hit in page.items
    ]
    return Reply({"items": items, "next_cursor": page.next_cursor})


async def get_article(call: Call) -> Reply:
    found = await article_documents.article_document(call.session, call.path["key"])
    if found is None:
        if await article_writes.tombstone_for(call.session, call.path["key"]) is not None:
            raise Gone(detail=f"article {call.path['key']!r} was deleted")
        raise NotFound(detail=f"no article with id or slug {call.path['key']!r}")
    return Reply(
        article_document_view(orjson.loads(found.document)),
        last_modified=found.updated_at,
        etag_prefix=version_prefix(found.version),
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


async def list_sources(call: Call) -> Reply:
    sources = await catalog.list_sources(call.session)
    return Reply({"items": [source_view(source) for source in sources]})


async def get_source(call: Call) -> Reply:
    source = await catalog.get_source(call.session, call.path["slug"])
    if source is None:
        raise NotFound(detail=f"no source with slug {call.path['slug']!r}")
    return Reply(source_view(source), etag_prefix=version_prefix(source.version or 0))


async def source_articles(call: Call) -> Reply:
    scope = await catalog.source_scope(call.session, call.path["slug"])
    if scope is None:
        raise NotFound(detail=f"no source with slug {call.path['slug']!r}")
    return await _feed_reply(call, scope)


async def list_categories(call: Call) -> Reply:
    categories = await catalog.list_categories(call.session)
    return Reply({"items": [category_view(category) for category in categories]})


async def list_entities(call: Call) -> Reply:
    query: EntityListQuery = call.query
    page = await catalog.list_entities(
        call.session,
        entity_type=query.type,
        name_prefix=query.q,
        limit=query.limit,
        cursor=query.cursor,
    )
    return Reply({"items": [entity_view(e) for e in page.items], "next_cursor": page.next_cursor})


async def get_entity(call: Call) -> Reply:
    entity = await catalog.get_entity(call.session, call.path["slug"])
    if entity is None:
        raise NotFound(detail=f"no entity with slug {call.path['slug']!r}")
    return Reply(entity_view(entity), etag_prefix=version_prefix(entity.version or 0))


async def entity_articles(call: Call) -> Reply:
    scope = await catalog.entity_scope(call.session, call.path["slug"])
    if scope is None:
        raise NotFound(detail=f"no entity with slug {call.path['slug']!r}")
    return await _feed_reply(call, scope)


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
