"""Helpers for the GraphQL tests (fixtures live in conftest.py).

Imported as top-level modules: pytest puts this directory on sys.path (no __init__.py
here, so a `graphql` package could not shadow graphql-core), and mypy sees the same names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Json = dict[str, Any]
Gql = Callable[..., Awaitable[Json]]


def codes(payload: Json) -> list[str]:
    return [error["extensions"]["code"] for error in payload.get("errors", [])]
