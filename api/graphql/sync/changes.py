"""Incremental sync: the changes log, as REST's ``/v1/changes`` serves it.

Both doors call ``api.domain.changes.log.list_changes`` and hand out its cursors unchanged, so
a client may poll either and switch at any time without missing or repeating an entry.
"""

from __future__ import annotations

import datetime as dt
import enum

import strawberry

from api.domain.changes import MAX_CHANGES_PAGE, ChangeRecord, list_changes
from api.graphql.core import inputs
from api.graphql.core.context import Info

DEFAULT_CHANGES_PAGE = 100


@strawberry.enum(description="The kind of resource a change is about.")
class ChangeResource(enum.Enum):
    ARTICLE = "article"
    SOURCE = "source"
    ENTITY = "entity"


@strawberry.enum(description="What happened to the resource.")
class ChangeOp(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


@strawberry.type(description="One committed create, update or delete.")
class Change:
    seq: int = strawberry.field(description="Position in the log; increases in commit order.")
    resource: ChangeResource
    op: ChangeOp
    id: str = strawberry.field(description="An article's public id, a source's or entity's slug.")
    version: int = strawberry.field(description="The resource's version after this change.")
    at: dt.datetime
    story_id: str | None = strawberry.field(
        description="For an article: the public id of its story now (null until clustered "
        "or once deleted). An article's `story` also changes when others join or leave "
        "it: a mirror refreshes the articles of this story and of the one it held."
    )


@strawberry.type(description="A page of the changes log, oldest first.")
class ChangePage:
    items: list[Change]
    next_cursor: str = strawberry.field(
        description="Pass as `since` next time; given even when nothing is new. "
        "Interchangeable with REST's `next_cursor`."
    )


def _change(record: ChangeRecord) -> Change:
    return Change(
        seq=record.seq,
        resource=ChangeResource(record.resource),
        op=ChangeOp(record.op),
        id=record.resource_id,
        version=record.version,
        at=record.at,
        story_id=record.story_id,
    )


async def _changes(
    info: Info, since: str | None = None, first: int | None = DEFAULT_CHANGES_PAGE
) -> ChangePage:
    limit = inputs.page_size(first, default=DEFAULT_CHANGES_PAGE, maximum=MAX_CHANGES_PAGE)
    # The domain checks `since` (a malformed or foreign cursor is BAD_USER_INPUT on `since`).
    records, cursor = await info.context.run(list_changes, since, limit=limit)
    return ChangePage(items=[_change(r) for r in records], next_cursor=cursor)


CHANGES = strawberry.field(
    resolver=_changes,
    graphql_type=ChangePage,
    description=(
        "Every committed create, update and delete, in commit order, after the cursor "
        "`since` (from the start without it); `first` <= 1000. REST: GET /v1/changes."
    ),
)
