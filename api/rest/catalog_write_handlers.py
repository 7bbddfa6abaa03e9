"""Write handlers for sources and entities: one domain write, then the stored view."""

from __future__ import annotations

from api.domain import catalog, catalog_writes
from api.errors import NotFound
from api.models import Entity, Source
from api.rest.operations import Call, Reply
from api.rest.preconditions import expected_version, version_prefix
from api.rest.views import entity_view, source_view
from api.schemas.catalog_input import EntityCreate, SourceCreate


async def _source_reply(call: Call, slug: str, *, created: bool = False) -> Reply:
    source = await catalog.get_source(call.session, slug)
    if source is None or source.version is None:
        raise NotFound(detail=f"source {slug!r} vanished during the write")
    location = f"/v1/sources/{slug}" if created else None
    return Reply(source_view(source), etag_prefix=version_prefix(source.version), location=location)


async def _entity_reply(call: Call, slug: str, *, created: bool = False) -> Reply:
    entity = await catalog.get_entity(call.session, slug)
    if entity is None or entity.version is None:
        raise NotFound(detail=f"entity {slug!r} vanished during the write")
    location = f"/v1/entities/{slug}" if created else None
    return Reply(entity_view(entity), etag_prefix=version_prefix(entity.version), location=location)


async def create_source(call: Call) -> Reply:
    await catalog_writes.create(call.session, Source, call.body)
    return await _source_reply(call, call.body.slug, created=True)


async def change_source(call: Call) -> Reply:
    slug = call.path["slug"]
    await catalog_writes.change(
        call.session,
        Source,
        slug,
        call.body,
        replace=isinstance(call.body, SourceCreate),
        expected_version=expected_version(call.request, required=True),
    )
    return await _source_reply(call, slug)


async def delete_source(call: Call) -> Reply:
    expected = expected_version(call.request, required=False)
    await catalog_writes.delete(call.session, Source, call.path["slug"], expected_version=expected)
    return Reply(None)


async def create_entity(call: Call) -> Reply:
    await catalog_writes.create(call.session, Entity, call.body)
    return await _entity_reply(call, call.body.slug, created=True)


async def change_entity(call: Call) -> Reply:
    slug = call.path["slug"]
    await catalog_writes.change(
        call.session,
        Entity,
        slug,
        call.body,
        replace=isinstance(call.body, EntityCreate),
        expected_version=expected_version(call.request, required=True),
    )
    return await _entity_reply(call, slug)


async def delete_entity(call: Call) -> Reply:
    expected = expected_version(call.request, required=False)
    await catalog_writes.delete(call.session, Entity, call.path["slug"], expected_version=expected)
    return Reply(None)
