"""``GET /v1/changes``: every create, update and delete in commit order, for mirrors."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from api.domain import changes
from api.rest.core.operations import Call, Operation, Reply
from api.rest.core.params import Cursor, QueryModel
from api.rest.core.responses import Strict


class ChangesQuery(QueryModel):
    since: Cursor | None = Field(
        default=None,
        description="`next_cursor` of your last call; leave out to start from the beginning.",
    )
    limit: int = Field(default=100, ge=1, le=1000, description="Changes per page.")


class ChangeItem(Strict):
    seq: int = Field(ge=1, description="Position in the log; increases in commit order.")
    resource: Literal["article", "source", "entity"]
    op: Literal["created", "updated", "deleted"]
    id: str = Field(description="An article's public id, a source's or entity's slug.")
    version: int = Field(ge=1, description="The resource's version after this change.")
    at: dt.datetime
    story_id: str | None = Field(
        description="For an article: the public id of its story now (null until clustered "
        "or once deleted). An article's `story` also changes when others join or leave "
        "it: a mirror refreshes the articles of this story and of the one it held."
    )


class ChangesPage(Strict):
    items: list[ChangeItem]
    next_cursor: str = Field(
        description="Pass as `since` next time; given even when nothing is new."
    )


async def list_changes(call: Call) -> Reply:
    query: ChangesQuery = call.query
    records, cursor = await changes.list_changes(call.session, query.since, limit=query.limit)
    items = [
        {
            "seq": r.seq,
            "resource": r.resource,
            "op": r.op,
            "id": r.resource_id,
            "version": r.version,
            "at": r.at,
            "story_id": r.story_id,
        }
        for r in records
    ]
    return Reply({"items": items, "next_cursor": cursor})


LIST_CHANGES = Operation(
    path="/v1/changes",
    operation_id="listChanges",
    summary="Every create, update and delete, in commit order",
    tag="sync",
    response=ChangesPage,
    handler=list_changes,
    description="Mirror the store: replay from the start, then poll with `next_cursor`.",
    query=ChangesQuery,
    cache_control="no-store",
)
