"""The cost limits' estimates: how many objects a query could return, how many rankings run.

In the spirit of GitHub's node limit: a field with ``first`` returns up to ``first``
objects per parent, so the estimate multiplies ``first`` down nested connections (using
variable values when given). Lists without ``first`` multiply by a fixed estimate.

Ranking fields cost work the node count does not see: each runs a scoring statement once
per parent object, whatever it returns, so they are counted by invocations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

from api.domain.feed import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

# A list without `first` (mentions, links, sources...) is short, but not bounded by the
# query: assume this many items per parent when multiplying down the tree.
UNBOUNDED_LIST_ESTIMATE = 10
# Fields that rank or score (search, related articles, the entity graph): each invocation
# scores its candidates in the database, however few items it returns.
RANKING_FIELDS = frozenset({"search", "related", "relatedEntities", "trendingEntities"})


class Cost(NamedTuple):
    nodes: int  # objects the query could return
    rankings: int  # ranking fields' invocations: one per parent object


def _int_argument(
    node: FieldNode, name: str, variables: Mapping[str, Any], defaults: Mapping[str, Any]
) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value != name:
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            raw = variables.get(value.name.value, defaults.get(value.name.value))
            return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        return None
    return None


class _NodeCounter:
    """Estimates the objects a query can return; fragments are followed once per path."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        variable_defaults: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults = variable_defaults
        self.rankings = 0

    def count(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        multiplier: int,
        seen: frozenset[str] = frozenset(),
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, multiplier, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.count(selection.selection_set, target or parent, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value) or parent
                total += self.count(fragment.selection_set, target, multiplier, seen | {name})
        return total

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType, multiplier: int, seen: frozenset[str]
    ) -> int:
        if node.selection_set is None or node.name.value.startswith("__"):
            return 0
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0
        if node.name.value in RANKING_FIELDS:
            self.rankings += multiplier  # once per parent object
        output = definition.type
        if isinstance(output, GraphQLNonNull):
            output = output.of_type
        nodes = 0
        if "first" in definition.args:
            first = _int_argument(node, "first", self.variables, self.defaults)
            default = definition.args["first"].default_value
            if first is None:
                first = default if isinstance(default, int) else DEFAULT_PAGE_SIZE
            # Out-of-range values are refused by the field itself, with a clearer message.
            multiplier *= min(max(first, 1), MAX_PAGE_SIZE)
            nodes = multiplier
        elif isinstance(output, GraphQLList) and not parent.name.endswith("Connection"):
            # A connection's `edges`/`nodes` are the `first` items already counted.
            multiplier *= UNBOUNDED_LIST_ESTIMATE
        named: Any = output
        while isinstance(named, GraphQLList | GraphQLNonNull):
            named = named.of_type
        return nodes + self.count(node.selection_set, named, multiplier, seen)


def estimate_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> Cost:
    defaults: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if isinstance(definition.default_value, IntValueNode):
            defaults[definition.variable.name.value] = int(definition.default_value.value)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return Cost(0, 0)
    counter = _NodeCounter(schema, fragments, variables, defaults)
    nodes = counter.count(operation.selection_set, root, 1)
    return Cost(nodes, counter.rankings)


def estimate_nodes(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    return estimate_cost(schema, operation, fragments, variables).nodes
