"""Source and entity mutations, by slug: create, replace, update, delete.

The slug is the identity (articles refer to it), so replace cannot change it. As in REST,
deleting a source that articles cite is a CONFLICT, and deleting an entity drops its
mentions (the articles that had them move on a version).
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from pydantic import BaseModel

from api.domain import catalog
from api.domain.catalog import EntityCreate, EntityUpdate, SourceCreate, SourceUpdate
from api.domain.shared import reread_after_write
from api.errors import InvalidInput
from api.graphql.catalog.inputs import (
    EntityInput,
    EntityUpdateInput,
    SourceInput,
    SourceUpdateInput,
)
from api.graphql.catalog.types import Entity, Source
from api.graphql.core import inputs
from api.graphql.core.context import Info
from api.graphql.core.mutation import EXPECTED_VERSION, UNCONDITIONAL_DELETE, mutation, write
from api.graphql.core.results import POSITION, DeleteResult, DeleteSuccess, MutationError
from api.graphql.core.validation import validated
from api.models import Entity as EntityModel
from api.models import Source as SourceModel

Model = type[SourceModel] | type[EntityModel]


@strawberry.type(description="The source as stored after the write.")
class SourceMutationSuccess:
    source: Source
    version: int = strawberry.field(description="Pass as `expectedVersion` to change it next.")
    position: str | None = strawberry.field(default=None, description=POSITION)


@strawberry.type(description="The entity as stored after the write.")
class EntityMutationSuccess:
    entity: Entity
    version: int = strawberry.field(description="Pass as `expectedVersion` to change it next.")
    position: str | None = strawberry.field(default=None, description=POSITION)


SourceResult = Annotated[SourceMutationSuccess | MutationError, strawberry.union("SourceResult")]
EntityResult = Annotated[EntityMutationSuccess | MutationError, strawberry.union("EntityResult")]


async def _source(info: Info, slug: str, version: int) -> SourceMutationSuccess:
    source = await info.context.run(reread_after_write, catalog.get_source, slug, "source")
    return SourceMutationSuccess(source=source, version=version)  # type: ignore[arg-type]


async def _entity(info: Info, slug: str, version: int) -> EntityMutationSuccess:
    entity = await info.context.run(reread_after_write, catalog.get_entity, slug, "entity")
    return EntityMutationSuccess(entity=entity, version=version)  # type: ignore[arg-type]


async def _create(info: Info, model: Model, data: BaseModel) -> int:
    return await write(info, "input.", catalog.create, model, data)


async def _change(
    info: Info, model: Model, slug: str, expected_version: int, data: BaseModel, *, replace: bool
) -> int:
    slug = inputs.lookup_key("slug", slug)
    if replace and getattr(data, "slug", None) != slug:
        raise InvalidInput.for_param("input.slug", "must equal the `slug` argument")
    return await write(
        info,
        "input.",
        catalog.change,
        model,
        slug,
        data,
        replace=replace,
        expected_version=expected_version,
    )


async def _delete(info: Info, model: Model, slug: str, expected_version: int | None) -> str:
    slug = inputs.lookup_key("slug", slug)
    await write(info, None, catalog.delete, model, slug, expected_version=expected_version)
    return slug


@mutation(SourceResult, "Create a source; its slug must be new.")
async def create_source(info: Info, input: SourceInput) -> SourceMutationSuccess:
    data = validated(SourceCreate, input, "input")
    version = await _create(info, SourceModel, data)
    return await _source(info, data.slug, version)


@mutation(SourceResult, f"Replace a source; `input.slug` must equal `slug`. {EXPECTED_VERSION}")
async def replace_source(
    info: Info, slug: str, expected_version: int, input: SourceInput
) -> SourceMutationSuccess:
    data = validated(SourceCreate, input, "input")
    version = await _change(info, SourceModel, slug, expected_version, data, replace=True)
    return await _source(info, slug, version)


@mutation(SourceResult, f"Change the fields given of a source. {EXPECTED_VERSION}")
async def update_source(
    info: Info, slug: str, expected_version: int, input: SourceUpdateInput
) -> SourceMutationSuccess:
    data = validated(SourceUpdate, input, "input")
    version = await _change(info, SourceModel, slug, expected_version, data, replace=False)
    return await _source(info, slug, version)


@mutation(DeleteResult, f"Delete a source no article cites (else CONFLICT). {UNCONDITIONAL_DELETE}")
async def delete_source(
    info: Info, slug: str, expected_version: int | None = None
) -> DeleteSuccess:
    return DeleteSuccess(id=await _delete(info, SourceModel, slug, expected_version))


@mutation(EntityResult, "Create an entity; its slug must be new.")
async def create_entity(info: Info, input: EntityInput) -> EntityMutationSuccess:
    data = validated(EntityCreate, input, "input")
    version = await _create(info, EntityModel, data)
    return await _entity(info, data.slug, version)


@mutation(EntityResult, f"Replace an entity; `input.slug` must equal `slug`. {EXPECTED_VERSION}")
async def replace_entity(
    info: Info, slug: str, expected_version: int, input: EntityInput
) -> EntityMutationSuccess:
    data = validated(EntityCreate, input, "input")
    version = await _change(info, EntityModel, slug, expected_version, data, replace=True)
    return await _entity(info, slug, version)


@mutation(EntityResult, f"Change the fields given of an entity. {EXPECTED_VERSION}")
async def update_entity(
    info: Info, slug: str, expected_version: int, input: EntityUpdateInput
) -> EntityMutationSuccess:
    data = validated(EntityUpdate, input, "input")
    version = await _change(info, EntityModel, slug, expected_version, data, replace=False)
    return await _entity(info, slug, version)


@mutation(DeleteResult, f"Delete an entity and its mentions. {UNCONDITIONAL_DELETE}")
async def delete_entity(
    info: Info, slug: str, expected_version: int | None = None
) -> DeleteSuccess:
    return DeleteSuccess(id=await _delete(info, EntityModel, slug, expected_version))
