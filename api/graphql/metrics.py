"""GraphQL operation and error counts, recorded by the GraphQL endpoint once per result."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, get_operation_ast, parse
from starlette.requests import Request

from api.graphql.limits.rules import MAX_TOKENS
from api.observability.metrics import Metrics

ANONYMOUS = "<anonymous>"
INVALID = "<invalid>"
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,47}")
# Larger documents are not kept in the cache (the endpoint's own rule for its cache).
CACHED_DOCUMENT_CHARS = 8192


def describe(query: str | None, operation_name: str | None) -> tuple[str, str]:
    """(operation label, type) of the operation a request selects; never raises."""
    if operation_name is not None and not _NAME.fullmatch(operation_name):
        return INVALID, "unknown"
    if not query:
        return operation_name or ANONYMOUS, "unknown"
    if len(query) <= CACHED_DOCUMENT_CHARS:
        return _describe_cached(query, operation_name)
    return _describe(query, operation_name)


@lru_cache(maxsize=256)
def _describe_cached(query: str, operation_name: str | None) -> tuple[str, str]:
    return _describe(query, operation_name)


def _describe(query: str, operation_name: str | None) -> tuple[str, str]:
    try:
        document = parse(query, max_tokens=MAX_TOKENS, no_location=True)
    except GraphQLError:
        return operation_name or ANONYMOUS, "unknown"
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return operation_name or ANONYMOUS, "unknown"
    name = operation.name.value if operation.name else ANONYMOUS
    return name, operation.operation.value


def record_graphql(
    request: Request,
    query: str | None,
    operation_name: str | None,
    errors: Iterable[Mapping[str, Any]],
) -> None:
    """Count one operation and its errors by ``extensions.code``; a no-op without metrics."""
    telemetry = getattr(request.app.state, "telemetry", None)
    metrics: Metrics | None = telemetry.metrics if telemetry is not None else None
    name, kind = describe(query, operation_name)
    request.state.graphql_operation = name  # for the request's log line
    if metrics is None:
        return
    label = metrics.count_operation(name, kind)
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            code = "UNKNOWN"
        metrics.graphql_errors.labels(label, code).inc()
