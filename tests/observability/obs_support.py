"""Helpers for the observability tests: a JSON log capture and key tokens."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from api.db.database import Database
from api.domain.access.keys import create_key
from api.models import KeyScope
from api.observability.logging_setup import JsonFormatter


class JsonLogCapture:
    """Every record of every logger, formatted by the production formatter as it is emitted.

    Emitting happens inside the request (same context), exactly as with the stderr handler
    the server uses, so context-carried fields such as the request id are what it writes.
    """

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def entries(self) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in self.text.splitlines() if line]

    def access(self) -> list[dict[str, Any]]:
        return [e for e in self.entries() if e["logger"] == "broadsheet.access"]


@contextmanager
def json_logs(level: int = logging.DEBUG) -> Iterator[JsonLogCapture]:
    capture = JsonLogCapture()
    handler = logging.StreamHandler(capture.stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield capture
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


async def new_token(database: Database, scope: KeyScope = KeyScope.READ) -> tuple[str, str]:
    """(key id, full token) of a fresh key."""
    async with database.session(write=True) as session:
        record, token = await create_key(session, "observability test", scope)
    return record.key_id, token
