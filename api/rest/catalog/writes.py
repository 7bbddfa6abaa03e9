"""Write handlers for sources and entities: one domain write, then the stored view.

Both kinds are written the same way; ``_Kind`` holds what differs (model, reader, view,
the model a PUT body arrives as), and each kind's three handlers are built from it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain import catalog
from api.domain import catalog as catalog_writes
from api.domain.catalog import Catalog, EntityCreate, SourceCreate
from api.domain.shared import reread_after_write
from api.models import Entity, Source
from api.rest.core.operations import Call, Handler, Reply
from api.rest.core.preconditions import expected_version, version_prefix
from api.rest.core.views import entity_view, source_view


@dataclass(frozen=True)
class _Kind:
    model: Catalog
    collection: str
    read: Callable[[AsyncSession, str], Awaitable[Any]]
    view: Callable[[Any], dict[str, Any]]
    replacement: type[BaseModel]  # the body of a PUT; a PATCH body is the Update model

    async def reply(self, call: Call, slug: str, *, created: bool = False) -> Reply:
        noun = catalog_writes.NAMES[self.model]
        record = await reread_after_write(call.session, self.read, slug, noun)
        return Reply(
            self.view(record),
            etag_prefix=version_prefix(record.version),
            location=f"{self.collection}/{slug}" if created else None,
        )

    async def create(self, call: Call) -> Reply:
        await catalog_writes.create(call.session, self.model, call.body)
        return await self.reply(call, call.body.slug, created=True)

    async def change(self, call: Call) -> Reply:
        """PUT (the whole resource) and PATCH (the fields present)."""
        slug = call.path["slug"]
        await catalog_writes.change(
            call.session,
            self.model,
            slug,
            call.body,
            replace=isinstance(call.body, self.replacement),
            expected_version=expected_version(call.request, required=True),
        )
        return await self.reply(call, slug)

    async def delete(self, call: Call) -> Reply:
        expected = expected_version(call.request, required=False)
        await catalog_writes.delete(
            call.session, self.model, call.path["slug"], expected_version=expected
        )
        return Reply(None)


_SOURCES = _Kind(Source, "/v1/sources", catalog.get_source, source_view, SourceCreate)
_ENTITIES = _Kind(Entity, "/v1/entities", catalog.get_entity, entity_view, EntityCreate)

create_source: Handler = _SOURCES.create
change_source: Handler = _SOURCES.change
delete_source: Handler = _SOURCES.delete
create_entity: Handler = _ENTITIES.create
change_entity: Handler = _ENTITIES.change
delete_entity: Handler = _ENTITIES.delete
