"""Which operation a request runs, known before its session opens.

The endpoint needs it to pick the session (a mutation's writes, a ranking query's reads off
the event loop) and to refuse, as a request error, a request that does not pick exactly
one operation: strawberry would quietly run the document's first.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from graphql import (
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    parse,
    visit,
)

from api.graphql.limits.cost import RANKING_FIELDS
from api.graphql.limits.rules import MAX_TOKENS

# Requests above this are planned every time: the cache must not hold 256 KiB bodies.
CACHED_DOCUMENT_CHARS = 8192
# Fields whose writes leave no changes-log position to wait for (webhook subscriptions):
# read on the primary, never on a replica (api.db.replicas).
PRIMARY_FIELDS = frozenset({"webhook", "webhooks"})


class OperationPlan(NamedTuple):
    kind: OperationType | None
    # Ranking fields read off the event loop's thread on SQLite (Database.session).
    offload: bool
    # graphql-core's own words when the request does not select exactly one operation.
    refusal: str | None = None
    # Reads that must see every committed write: on the primary, never on a replica.
    primary: bool = False


def operation_plan(query: str | None, operation_name: str | None) -> OperationPlan:
    """What a request's operation is; ``kind`` is None when it does not parse or is
    refused (execution then reports the parse error without touching the database)."""
    if not query:
        return OperationPlan(None, False)
    if len(query) + len(operation_name or "") <= CACHED_DOCUMENT_CHARS:
        return _operation_plan_cached(query, operation_name)
    return _operation_plan(query, operation_name)


@lru_cache(maxsize=256)
def _operation_plan_cached(query: str, operation_name: str | None) -> OperationPlan:
    return _operation_plan(query, operation_name)


class _FieldNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        self.names.add(node.name.value)


def _operation_plan(query: str, operation_name: str | None) -> OperationPlan:
    try:
        document = parse(query, max_tokens=MAX_TOKENS, no_location=True)
    except GraphQLError:
        return OperationPlan(None, False)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation, refusal = select_operation(operations, operation_name)
    if operation is None:
        return OperationPlan(None, False, refusal)
    fields = _FieldNames()
    visit(document, fields)  # fragments included: they may hold the heavy fields
    return OperationPlan(
        operation.operation,
        not fields.names.isdisjoint(RANKING_FIELDS),
        primary=not fields.names.isdisjoint(PRIMARY_FIELDS),
    )


def select_operation(
    operations: Sequence[OperationDefinitionNode], name: str | None
) -> tuple[OperationDefinitionNode | None, str | None]:
    """The operation a request names, or why there is none: graphql-core's executor's rules
    and wording (the GraphQL spec's GetOperation)."""
    if name is None:
        if len(operations) == 1:
            return operations[0], None
        if operations:
            return None, "Must provide operation name if query contains multiple operations."
        return None, "Must provide an operation."
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation, None
    return None, f"Unknown operation named '{name}'."
