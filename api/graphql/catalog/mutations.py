"""Source and entity mutations, by slug: create, replace, update, delete.

The slug is the identity (articles refer to it), so replace cannot change it. As in REST,
deleting a source that articles cite is a CONFLICT, and deleting an entity drops its
mentions (the articles that had them move on a version).
"""

from __future__ import annotations

from pydantic import BaseModel

from api.domain import catalog
from api.domain import catalog as catalog_writes
from api.domain.catalog import EntityCreate, EntityUpdate, SourceCreate, SourceUpdate
from api.errors import InvalidInput, NotFound
from api.graphql.articles.inputs import (
    EntityInput,
    EntityUpdateInput,
    SourceInput,
    SourceUpdateInput,
    validated,
)
from api.graphql.core import inputs
from api.graphql.core.context import Context, Info
from api.graphql.core.mutation_guard import attempt, under
from api.graphql.core.mutation_results import (
    DeleteResult,
    DeleteSuccess,
    EntityMutationSuccess,
    EntityResult,
    SourceMutationSuccess,
    SourceResult,
    entity_success,
    source_success,
)
from api.models import Entity, Source

Model = type[Source] | type[Entity]


async def _source_answer(ctx: Context, slug: str, version: int) -> SourceMutationSuccess:
    ctx.forget_loaded()
    source = await ctx.run(catalog.get_source, slug)
    if source is None:  # written in this very transaction: cannot be missing
        raise NotFound(detail=f"source {slug!r} vanished during the write")
    return source_success(source, version)


async def _entity_answer(ctx: Context, slug: str, version: int) -> EntityMutationSuccess:
    ctx.forget_loaded()
    entity = await ctx.run(catalog.get_entity, slug)
    if entity is None:
        raise NotFound(detail=f"entity {slug!r} vanished during the write")
    return entity_success(entity, version)


async def _create(info: Info, model: Model, data: BaseModel) -> int:
    with under("input."):
        return await info.context.run.savepoint(catalog_writes.create, model, data)


async def _change(
    info: Info, model: Model, slug: str, expected_version: int, data: BaseModel, *, replace: bool
) -> int:
    slug = inputs.lookup_key("slug", slug)
    if replace and getattr(data, "slug", None) != slug:
        raise InvalidInput.for_param("input.slug", "must equal the `slug` argument")
    with under("input."):
        return await info.context.run.savepoint(
            catalog_writes.change,
            model,
            slug,
            data,
            replace=replace,
            expected_version=expected_version,
        )


async def _delete(info: Info, model: Model, slug: str, expected_version: int | None) -> str:
    slug = inputs.lookup_key("slug", slug)
    await info.context.run.savepoint(
        catalog_writes.delete, model, slug, expected_version=expected_version
    )
    info.context.forget_loaded()
    return slug


async def create_source(info: Info, input: SourceInput) -> SourceResult:
    async def action() -> SourceResult:
        data = validated(SourceCreate, input, "input")
        version = await _create(info, Source, data)
        return await _source_answer(info.context, data.slug, version)

    return await attempt(info, action)


async def replace_source(
    info: Info, slug: str, expected_version: int, input: SourceInput
) -> SourceResult:
    async def action() -> SourceResult:
        data = validated(SourceCreate, input, "input")
        version = await _change(info, Source, slug, expected_version, data, replace=True)
        return await _source_answer(info.context, slug, version)

    return await attempt(info, action)


async def update_source(
    info: Info, slug: str, expected_version: int, input: SourceUpdateInput
) -> SourceResult:
    async def action() -> SourceResult:
        data = validated(SourceUpdate, input, "input")
        version = await _change(info, Source, slug, expected_version, data, replace=False)
        return await _source_answer(info.context, slug, version)

    return await attempt(info, action)


async def delete_source(info: Info, slug: str, expected_version: int | None = None) -> DeleteResult:
    async def action() -> DeleteResult:
        return DeleteSuccess(id=await _delete(info, Source, slug, expected_version))

    return await attempt(info, action)


async def create_entity(info: Info, input: EntityInput) -> EntityResult:
    async def action() -> EntityResult:
        data = validated(EntityCreate, input, "input")
        version = await _create(info, Entity, data)
        return await _entity_answer(info.context, data.slug, version)

    return await attempt(info, action)


async def replace_entity(
    info: Info, slug: str, expected_version: int, input: EntityInput
) -> EntityResult:
    async def action() -> EntityResult:
        data = validated(EntityCreate, input, "input")
        version = await _change(info, Entity, slug, expected_version, data, replace=True)
        return await _entity_answer(info.context, slug, version)

    return await attempt(info, action)


async def update_entity(
    info: Info, slug: str, expected_version: int, input: EntityUpdateInput
) -> EntityResult:
    async def action() -> EntityResult:
        data = validated(EntityUpdate, input, "input")
        version = await _change(info, Entity, slug, expected_version, data, replace=False)
        return await _entity_answer(info.context, slug, version)

    return await attempt(info, action)


async def delete_entity(info: Info, slug: str, expected_version: int | None = None) -> DeleteResult:
    async def action() -> DeleteResult:
        return DeleteSuccess(id=await _delete(info, Entity, slug, expected_version))

    return await attempt(info, action)
