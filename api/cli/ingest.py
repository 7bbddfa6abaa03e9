"""``broadsheet ingest``: a JSON Lines file of articles, upserted in one transaction.

The file is streamed: a reader thread parses and validates it a chunk at a time (so the
next chunk is validated while the database writes the last one) and memory stays bounded
whatever its size. A bad line is reported (line number and field, several errors at once)
and nothing is written: the transaction is rolled back.
"""

from __future__ import annotations

import asyncio
import queue
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from api.db.database import Database, create_async_db_engine
from api.domain.articles import ArticleCreate, IngestItemError, error_path
from api.domain.articles.streaming import Keyed, upsert_stream
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


CHUNK_LINES = 1_000
AHEAD = 2  # validated chunks waiting for the database, at most


async def ingest_jsonl(
    settings: Settings, path: Path, *, chunk_lines: int = CHUNK_LINES
) -> IngestReport:
    """Validate and upsert ``path`` ("-" = stdin) chunk by chunk, as a single transaction."""
    reader = _Reader(path, chunk_lines)
    db = Database(create_async_db_engine(settings))
    try:
        async with db.session(write=True) as session:
            totals = await upsert_stream(session, reader.chunks())
    except IngestItemError as exc:
        raise IngestFileError([f"line {exc.index}: {exc.field}: {exc.message}"]) from exc
    except SQLAlchemyError as exc:
        raise IngestFileError([f"database error: {exc}"]) from exc
    finally:
        reader.stop()
        await db.dispose()
    return IngestReport(totals.created, totals.updated, totals.unchanged)


class _Reader:
    """Reads and validates on a thread of its own, up to ``AHEAD`` chunks ahead."""

    def __init__(self, path: Path, chunk_lines: int) -> None:
        self._path = path
        self._chunk_lines = chunk_lines
        self._ready: queue.Queue[list[Keyed] | BaseException | None] = queue.Queue(AHEAD)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ingest-reader", daemon=True)

    async def chunks(self) -> AsyncIterator[list[Keyed]]:
        self._thread.start()
        while (chunk := await asyncio.to_thread(self._take)) is not None:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def _take(self) -> list[Keyed] | BaseException | None:
        # Polls, so that a stopped reader never leaves this thread blocked for ever.
        while not self._stopped.is_set():
            try:
                return self._ready.get(timeout=0.1)
            except queue.Empty:
                continue
        return None

    def _run(self) -> None:
        try:
            for chunk in read_jsonl(self._path, self._chunk_lines):
                if not self._put(chunk):
                    return
        except BaseException as exc:  # raised to the consumer, on its side
            self._put(exc)
        else:
            self._put(None)

    def _put(self, item: list[Keyed] | BaseException | None) -> bool:
        while not self._stopped.is_set():
            try:
                self._ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False


def read_jsonl(path: Path, chunk_lines: int = CHUNK_LINES) -> Iterator[list[Keyed]]:
    """Parsed, validated items in chunks; IngestFileError lists up to MAX_ERRORS problems.

    After the first error nothing more is handed out, but reading goes on so that one run
    reports many of the file's problems.
    """
    chunk: list[Keyed] = []
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
            elif not errors:
                chunk.append(Keyed(number, item))
                if len(chunk) == chunk_lines:
                    yield chunk
                    chunk = []
        if len(errors) >= MAX_ERRORS:
            errors = [*errors[:MAX_ERRORS], f"(stopped reading at line {number})"]
            break
    if errors:
        raise IngestFileError(errors)
    if chunk:
        yield chunk


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
