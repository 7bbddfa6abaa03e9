"""Write operations on sources and entities (declared here; listed in routes.OPERATIONS)."""

from __future__ import annotations

from pydantic import BaseModel

from api.domain.catalog import EntityCreate, EntityUpdate, SourceCreate, SourceUpdate
from api.models import KeyScope
from api.rest import catalog_write_handlers as handlers
from api.rest.core import responses as schemas
from api.rest.core.operations import Handler, Operation, PathParam

CHANGE_STATUSES = (404, 412, 413, 415, 422, 428)


def _crud(
    collection: str,
    item: PathParam,
    noun: str,
    response: type[BaseModel],
    bodies: tuple[type[BaseModel], type[BaseModel]],
    create: Handler,
    change: Handler,
    delete: Handler,
) -> tuple[Operation, ...]:
    tag = collection.rsplit("/", 1)[-1]
    title = noun.capitalize()
    item_path = f"{collection}/{{{item.name}}}"
    write = KeyScope.WRITE
    return (
        Operation(
            collection, f"create{title}", f"Create a {noun}", tag, response, create,
            method="POST", body=bodies[0], success=201, statuses=(409, 413, 415, 422), scope=write,
        ),
        Operation(
            item_path, f"replace{title}", f"Replace a {noun} (the slug stays)", tag, response,
            change, path_params=(item,), method="PUT", body=bodies[0],
            requires_if_match=True, statuses=CHANGE_STATUSES, scope=write,
        ),
        Operation(
            item_path, f"update{title}", f"Change some fields of a {noun}", tag, response,
            change, path_params=(item,), method="PATCH", body=bodies[1],
            requires_if_match=True, statuses=CHANGE_STATUSES, scope=write,
        ),
        Operation(
            item_path, f"delete{title}", f"Delete a {noun}", tag, response, delete,
            path_params=(item,), method="DELETE", success=204, statuses=(404, 409, 412),
            scope=write,
        ),
    )  # fmt: skip


def catalog_write_operations(
    source_slug: PathParam, entity_slug: PathParam
) -> tuple[Operation, ...]:
    return (
        *_crud(
            "/v1/sources",
            source_slug,
            "source",
            schemas.Source,
            (SourceCreate, SourceUpdate),
            handlers.create_source,
            handlers.change_source,
            handlers.delete_source,
        ),
        *_crud(
            "/v1/entities",
            entity_slug,
            "entity",
            schemas.Entity,
            (EntityCreate, EntityUpdate),
            handlers.create_entity,
            handlers.change_entity,
            handlers.delete_entity,
        ),
    )
