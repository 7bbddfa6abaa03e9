"""The batch upsert's request body and its per-item result."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool

from api.rest.core.responses import Strict


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
