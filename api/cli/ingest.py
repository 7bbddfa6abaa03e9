"""``broadsheet ingest``: a JSON Lines file of articles, upserted in one transaction.

Every line is parsed and validated before the database is touched, so a bad file is
reported (line number and field, several errors at once) and nothing is written.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from api.db.database import Database, create_async_db_engine
from api.domain.articles import ArticleCreate, IngestItemError, error_path, upsert_articles
from api.settings import Settings

MAX_ERRORS = 20


class IngestFileError(Exception):
    """The file was refused; ``errors`` holds one ``line N: field: message`` per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("nothing was written:\n" + "\n".join(errors))


@dataclass(frozen=True, slots=True)
class IngestReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def describe(self) -> str:
        return (
            f"{self.total} articles: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


@dataclass(frozen=True, slots=True)
class _Line:
    number: int  # 1-based, as editors show it
    item: ArticleCreate


async def ingest_jsonl(settings: Settings, path: Path) -> IngestReport:
    """Validate all of ``path`` ("-" = stdin), then upsert it as a single transaction."""
    # File reading and validation are blocking and CPU-bound: keep them off the event loop.
    lines = await asyncio.to_thread(read_jsonl, path)
    if not lines:
        return IngestReport()
    db = Database(create_async_db_engine(settings))
    try:
        async with db.session(write=True) as session:
            # One call for the whole file: a link may point at an article on a later line.
            outcomes = await upsert_articles(session, [line.item for line in lines])
    except IngestItemError as exc:
        number = lines[exc.index].number
        raise IngestFileError([f"line {number}: {exc.field}: {exc.message}"]) from exc
    except SQLAlchemyError as exc:
        raise IngestFileError([f"database error: {exc}"]) from exc
    finally:
        await db.dispose()
    statuses = [outcome.status for outcome in outcomes]
    return IngestReport(
        created=statuses.count("created"),
        updated=statuses.count("updated"),
        unchanged=statuses.count("unchanged"),
    )


def read_jsonl(path: Path) -> list[_Line]:
    """Parse and validate every line; raise IngestFileError listing up to MAX_ERRORS."""
    lines: list[_Line] = []
    errors: list[str] = []
    first_line_of: dict[str, int] = {}
    for number, raw in _numbered_lines(path):
        if not raw.strip():
            continue
        try:
            item = ArticleCreate.model_validate(orjson.loads(raw))
        except orjson.JSONDecodeError as exc:
            errors.append(f"line {number}: invalid JSON: {exc}")
        except ValidationError as exc:
            errors.extend(_describe(number, exc))
        else:
            seen = first_line_of.setdefault(item.url, number)
            if seen != number:
                errors.append(f"line {number}: url: same URL as line {seen} ({item.url})")
            lines.append(_Line(number, item))
        if len(errors) >= MAX_ERRORS:
            errors = [*errors[:MAX_ERRORS], f"(stopped reading at line {number})"]
            break
    if errors:
        raise IngestFileError(errors)
    return lines


def _describe(number: int, exc: ValidationError) -> Iterator[str]:
    for error in exc.errors(include_url=False):
        path = error_path(error["loc"])
        yield f"line {number}: {path}: {error['msg']}" if path else f"line {number}: {error['msg']}"


def _numbered_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    # Bytes, not text: orjson decodes UTF-8 itself and reports a bad encoding per line.
    if str(path) == "-":
        yield from enumerate(sys.stdin.buffer, start=1)
        return
    try:
        with path.open("rb") as stream:
            yield from enumerate(stream, start=1)
    except OSError as exc:
        raise IngestFileError([f"cannot read {path}: {exc.strerror or exc}"]) from exc
