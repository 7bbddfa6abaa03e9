"""Request parameters and responses of the write side and the changes log."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, StrictBool

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


class ChangesPage(Strict):
    items: list[ChangeItem]
    next_cursor: str = Field(
        description="Pass as `since` next time; given even when nothing is new."
    )


class ArticleBatch(Strict):
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=1000,
        description="Articles to create or update by canonical URL (each an ArticleCreate).",
        json_schema_extra={"items": {"$ref": "#/components/schemas/ArticleCreate"}},
    )
    # Strict: the schema says boolean, so 0 or "yes" is refused rather than guessed at.
    atomic: StrictBool = Field(
        default=False, description="One bad item and nothing is written (422)."
    )


class ItemProblem(Strict):
    name: str
    reason: str


class BatchItemResult(Strict):
    index: int = Field(ge=0)
    status: Literal["created", "updated", "unchanged", "error"]
    id: str | None = None
    version: int | None = None
    invalid_params: list[ItemProblem] = Field(default_factory=list)


class BatchResult(Strict):
    items: list[BatchItemResult]
    created: int
    updated: int
    unchanged: int
    errors: int
