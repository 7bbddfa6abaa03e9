"""Bulk upsert for third-party pushes: up to 1,000 articles, a result per item.

By default a bad item is reported and the others are written; with ``atomic`` one bad item
means nothing is written. Either way a batch is one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.articles.inputs import ArticleCreate, error_path
from api.domain.articles.references import IngestItemError
from api.domain.articles.upsert import upsert_articles
from api.errors import Conflict, InvalidInput, InvalidParam

MAX_BATCH = 1000
THREADED_VALIDATION = 8  # items; below it the thread hand-off costs more than it saves


@dataclass(slots=True)
class ItemResult:
    index: int
    status: str  # created | updated | unchanged | error
    id: str | None = None
    version: int | None = None
    problems: list[InvalidParam] = field(default_factory=list)


def _validate(raw_items: Sequence[Any]) -> tuple[dict[int, ArticleCreate], list[ItemResult]]:
    valid: dict[int, ArticleCreate] = {}
    failed: list[ItemResult] = []
    for index, raw in enumerate(raw_items):
        try:
            valid[index] = ArticleCreate.model_validate(raw)
        except ValidationError as exc:
            problems = [
                InvalidParam(error_path(e["loc"]) or "item", e["msg"])
                for e in exc.errors(include_url=False, include_input=False)
            ]
            failed.append(ItemResult(index, "error", problems=problems))
    return valid, failed


def _refuse(failed: list[ItemResult]) -> InvalidInput:
    params = [
        InvalidParam(f"items[{r.index}].{p.name}", p.reason) for r in failed for p in r.problems
    ]
    return InvalidInput(
        detail=f"{len(failed)} item(s) invalid; atomic batch: nothing was written",
        invalid_params=params,
    )


async def upsert_batch(
    session: AsyncSession, raw_items: Sequence[Any], *, atomic: bool
) -> list[ItemResult]:
    if not 1 <= len(raw_items) <= MAX_BATCH:
        raise InvalidInput.for_param("items", f"send 1 to {MAX_BATCH} items")
    if len(raw_items) >= THREADED_VALIDATION:
        # Tens of milliseconds of pydantic for a big batch: off the loop, so reads go on.
        valid, failed = await anyio.to_thread.run_sync(_validate, raw_items)
    else:
        valid, failed = _validate(raw_items)
    if atomic and failed:
        raise _refuse(failed)
    results = {r.index: r for r in failed}
    pending = dict(valid)
    while pending:
        order = list(pending)
        try:
            # A savepoint: an item refused half-way leaves nothing behind for the retry.
            async with session.begin_nested():
                outcomes = await upsert_articles(session, [pending[i] for i in order])
        except IngestItemError as exc:
            index = order[exc.index]
            results[index] = ItemResult(
                index, "error", problems=[InvalidParam(exc.field, exc.message)]
            )
            if atomic:
                raise _refuse([results[index]]) from exc
            del pending[index]
            continue
        except IntegrityError as exc:  # a concurrent writer created one of these first
            raise Conflict(
                detail="a concurrent write touched the same articles; retry the batch"
            ) from exc
        for index, outcome in zip(order, outcomes, strict=True):
            results[index] = ItemResult(index, outcome.status, outcome.public_id, outcome.version)
        break
    return [results[index] for index in range(len(raw_items))]
