"""Catalog read handlers: sources, categories and entities, and their articles."""

from __future__ import annotations

from api.domain import catalog, purges
from api.errors import NotFound
from api.rest.articles.reads import feed_reply
from api.rest.core.operations import Call, Reply
from api.rest.core.params import EntityListQuery
from api.rest.core.preconditions import version_prefix
from api.rest.core.views import category_view, entity_view, source_view


async def list_sources(call: Call) -> Reply:
    sources = await catalog.list_sources(call.session)
    return Reply({"items": [source_view(source) for source in sources]})


async def get_source(call: Call) -> Reply:
    source = await catalog.get_source(call.session, call.path["slug"])
    if source is None:
        raise NotFound(detail=f"no source with slug {call.path['slug']!r}")
    return Reply(
        source_view(source),
        etag_prefix=version_prefix(source.version or 0),
        purge_keys=lambda: [purges.key("source", source.slug)],
    )


async def source_articles(call: Call) -> Reply:
    scope = await catalog.source_scope(call.session, call.path["slug"])
    if scope is None:
        raise NotFound(detail=f"no source with slug {call.path['slug']!r}")
    return await feed_reply(call, scope, [purges.key("source", call.path["slug"])])


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
    return Reply(
        entity_view(entity),
        etag_prefix=version_prefix(entity.version or 0),
        purge_keys=lambda: [purges.key("entity", entity.slug)],
    )


async def entity_articles(call: Call) -> Reply:
    scope = await catalog.entity_scope(call.session, call.path["slug"])
    if scope is None:
        raise NotFound(detail=f"no entity with slug {call.path['slug']!r}")
    return await feed_reply(call, scope, [purges.key("entity", call.path["slug"])])
