"""Request limits: what one query may ask of the server before anything runs.

- tokens (parser), depth and aliases (validation rules): strawberry's limiters;
- expanded size: fragments expanded, checked before validation, because a few hundred
  tokens of fragments spreading fragments expand exponentially (and the per-path depth
  and alias validators with them);
- nodes and rankings (``cost.estimate_cost``) and NUL bytes (PostgreSQL cannot store
  them): all need variable values, so they run just before execution.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
)
from strawberry.extensions import SchemaExtension

from api.graphql.core.errors import BAD_USER_INPUT, VALIDATION_FAILED
from api.graphql.limits.cost import RANKING_FIELDS, estimate_cost

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2_000
MAX_NODES = 50_000
# Ranking fields' invocations per query. A feed page of 100 asking `related` of each card is
# 100; nesting a ranking field under another's results multiplies them into the thousands.
MAX_RANKINGS = 250
# Fragments can make a short document expand exponentially (each spreading the next twice);
# past this many fields after expansion it is refused before the per-path validators run.
MAX_EXPANDED_FIELDS = 5_000
MAX_BODY_BYTES = 256 * 1024


def _nul_in_value(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_nul_in_value(item) for item in value)
    if isinstance(value, dict):
        return any(_nul_in_value(k) or _nul_in_value(v) for k, v in value.items())
    return False


def _nul_in_literal(value: ValueNode) -> bool:
    if isinstance(value, StringValueNode):
        return "\x00" in value.value
    if isinstance(value, ListValueNode):
        return any(_nul_in_literal(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_nul_in_literal(field.value) for field in value.fields)
    return False


def _nul_argument(document: Any) -> str | None:
    for definition in document.definitions:
        for variable in getattr(definition, "variable_definitions", None) or ():
            if variable.default_value is not None and _nul_in_literal(variable.default_value):
                return f"${variable.variable.name.value}"
        stack: list[Any] = [definition]
        while stack:
            node = stack.pop()
            for argument in getattr(node, "arguments", None) or ():
                if _nul_in_literal(argument.value):
                    return str(argument.name.value)
            selection_set = getattr(node, "selection_set", None)
            if selection_set is not None:
                stack.extend(selection_set.selections)
    return None


def expanded_size(document: DocumentNode) -> int:
    """Fields in the document with every fragment spread expanded; linear time (memoized)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    sizes: dict[str, int] = {}

    def size(selection_set: SelectionSetNode | None) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += 1 + size(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += size(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += fragment_size(selection.name.value)
            if total > MAX_EXPANDED_FIELDS:
                break  # no need to know by how much
        return total

    def fragment_size(name: str) -> int:
        if name not in sizes:
            sizes[name] = 0  # a cycle counts as empty; validation reports it
            fragment = fragments.get(name)
            sizes[name] = size(fragment.selection_set) if fragment else 0
        return sizes[name]

    return sum(
        size(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )


class RequestLimits(SchemaExtension):
    """Refuses oversized documents before validation, and costly or NUL-carrying queries
    before execution. List it before ``ValidationCache``, which validates in its hook."""

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None and expanded_size(document) > MAX_EXPANDED_FIELDS:
            raise GraphQLError(
                f"The query expands (through its fragments) to more than "
                f"{MAX_EXPANDED_FIELDS:,} fields.",
                extensions={"code": VALIDATION_FAILED, "maxExpandedFields": MAX_EXPANDED_FIELDS},
            )
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        variables = context.variables or {}
        if document is not None:
            self._check_nul(document, variables)
            self._check_cost(document, variables)
        yield

    def _check_nul(self, document: Any, variables: Mapping[str, Any]) -> None:
        for name, value in variables.items():
            if _nul_in_value(value):
                raise _bad_input(f"${name}", "NUL characters are not allowed in strings")
        argument = _nul_argument(document)
        if argument is not None:
            raise _bad_input(argument, "NUL characters are not allowed in strings")

    def _check_cost(self, document: Any, variables: Mapping[str, Any]) -> None:
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        name = self.execution_context.operation_name
        operation = next(
            (op for op in operations if name is None or (op.name and op.name.value == name)),
            None,
        )
        if operation is None:
            return
        schema = self.execution_context.schema._schema
        nodes, rankings = estimate_cost(schema, operation, fragments, variables)
        if nodes > MAX_NODES:
            raise GraphQLError(
                f"This query could return up to {nodes:,} nodes, above the limit of "
                f"{MAX_NODES:,}. Lower `first` on nested connections or split the query.",
                extensions={"code": VALIDATION_FAILED, "nodes": nodes, "maxNodes": MAX_NODES},
            )
        if rankings > MAX_RANKINGS:
            fields = ", ".join(f"`{name}`" for name in sorted(RANKING_FIELDS))
            raise GraphQLError(
                f"This query could run up to {rankings:,} rankings, above the limit of "
                f"{MAX_RANKINGS:,}. Each of {fields} ranks once per parent object: ask for "
                "them on fewer objects (not under lists or other rankings) or split the query.",
                extensions={
                    "code": VALIDATION_FAILED,
                    "rankings": rankings,
                    "maxRankings": MAX_RANKINGS,
                },
            )


def _bad_input(argument: str, reason: str) -> GraphQLError:
    return GraphQLError(
        f"{argument}: {reason}",
        extensions={"code": BAD_USER_INPUT, "argument": argument},
    )
