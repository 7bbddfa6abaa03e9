"""Builds plans: field collection as graphql-core does it, and one completing function
per field, for the queries a plan covers (see ``api.graphql.execution.compiled``)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import Any, cast

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    get_operation_ast,
)
from strawberry.types.field import StrawberryField

from api.domain.shared import ArticleRecord
from api.graphql.execution.plan import Complete, Plan, RootField, StepAside

# Root fields a plan may run, and how to find the articles in what they return.
ROOT_ARTICLES: dict[str, Callable[[Any], Iterable[ArticleRecord]]] = {
    "articles": lambda connection: connection.nodes,
    "article": lambda article: () if article is None else (article,),
}
# Article fields read from ``ArticleRecord.mentions``, loaded for the page at once.
MENTION_FIELDS = frozenset({"mentions", "entities"})


class Unsupported(Exception):
    """The document is outside what a plan covers."""


class _Compiler:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.loads_mentions = False

    def collect(
        self, parent: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key, in document order, as graphql-core's CollectFields."""
        fields: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()

        def walk(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if selection.directives:
                    raise Unsupported("directives")
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if self._applies(selection.type_condition, parent):
                        walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if name in visited or fragment is None:
                        continue
                    visited.add(name)
                    if self._applies(fragment.type_condition, parent):
                        walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        return fields

    def _applies(self, condition: Any, parent: GraphQLObjectType) -> bool:
        """graphql-core's doesFragmentConditionMatch."""
        if condition is None:
            return True
        conditional = self.schema.get_type(condition.name.value)
        if conditional is parent:
            return True
        if isinstance(conditional, GraphQLInterfaceType | GraphQLUnionType):
            return self.schema.is_sub_type(conditional, parent)
        return False

    def complete(self, return_type: GraphQLOutputType, nodes: list[FieldNode]) -> Complete:
        """A function from a resolved value to its JSON-ready form, as graphql-core's
        completeValue would produce it (or StepAside where that would be an error)."""
        nullable = not isinstance(return_type, GraphQLNonNull)
        named = return_type if nullable else return_type.of_type  # type: ignore[union-attr]
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            return _leaf(named, nullable)
        if isinstance(named, GraphQLList):
            item = self.complete(named.of_type, nodes)
            return _nullable(lambda value: [item(v) for v in value], nullable)
        if isinstance(named, GraphQLObjectType):
            return _nullable(self.object(named, nodes), nullable)
        raise Unsupported(f"abstract type {named}")

    def object(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> Complete:
        plans: list[tuple[str, Callable[[Any], Any], Complete]] = []
        for key, field_nodes in self.collect(
            object_type, (n.selection_set for n in nodes if n.selection_set)
        ).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                plans.append((key, _constant(object_type.name), _identity))
                continue
            graphql_field = object_type.fields[name]
            if any(n.arguments for n in field_nodes):
                raise Unsupported(f"arguments on {object_type.name}.{name}")
            resolve = self._resolver(object_type, name, graphql_field)
            plans.append((key, resolve, self.complete(graphql_field.type, field_nodes)))

        def build(value: Any) -> Any:
            return {key: complete(resolve(value)) for key, resolve, complete in plans}

        return build

    def _resolver(
        self, object_type: GraphQLObjectType, name: str, graphql_field: Any
    ) -> Callable[[Any], Any]:
        definition: StrawberryField = graphql_field.extensions["strawberry-definition"]
        if definition.extensions:
            raise Unsupported("field extensions")
        if object_type.name == "Article" and name in MENTION_FIELDS:
            self.loads_mentions = True
            return operator.attrgetter("mentions")
        resolver = definition.base_resolver
        if resolver is None:
            if definition.default_resolver is getattr:
                return operator.attrgetter(definition.python_name)
            return _named(definition.default_resolver, definition.python_name)
        if resolver.is_async or resolver.info_parameter is not None or definition.arguments:
            raise Unsupported(f"resolver of {object_type.name}.{name}")
        # A plain function of the parent (global ids, the mention's entity...).
        return cast(Callable[[Any], Any], resolver.wrapped_func)

    def root(self, query_type: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> RootField:
        name = nodes[0].name.value
        articles = ROOT_ARTICLES.get(name)
        if articles is None or len(nodes) > 1:
            raise Unsupported(f"root field {name}")
        graphql_field = query_type.fields[name]
        definition: StrawberryField = graphql_field.extensions["strawberry-definition"]
        if definition.extensions or definition.base_resolver is None:
            raise Unsupported(f"root field {name}")
        complete = self.complete(graphql_field.type, nodes)
        return RootField(key, definition, graphql_field, nodes[0], articles, complete)


def _identity(value: Any) -> Any:
    return value


def _nullable(complete: Complete, nullable: bool) -> Complete:
    def maybe(value: Any) -> Any:
        return None if value is None else complete(value)

    def never(value: Any) -> Any:
        if value is None:
            raise StepAside  # the standard path reports the null as an error
        return complete(value)

    return maybe if nullable else never


# graphql-core's serializers of these return a str unchanged: such values need no call.
_TEXT_SCALARS = (GraphQLString, GraphQLID)
# Serialized values a leaf remembers, by type and value: serializers are pure functions of
# them, and a field's values repeat (enums, importance, versions) or stop being kept.
MEMO_SIZE = 256


def _leaf(scalar: GraphQLScalarType | GraphQLEnumType, nullable: bool) -> Complete:
    serialize = scalar.serialize
    text = any(scalar is t for t in _TEXT_SCALARS)
    memo: dict[tuple[type, Any], Any] = {}

    def leaf(value: Any) -> Any:
        if text and type(value) is str:
            return value
        if value is None:
            if nullable:
                return None
            raise StepAside
        key = (type(value), value)
        try:
            return memo[key]
        except KeyError:
            remember = len(memo) < MEMO_SIZE
        except TypeError:  # unhashable: serialized every time
            remember = False
        serialized = serialize(value)
        if serialized is None or serialized is Undefined:
            raise StepAside  # graphql-core's error for a value the scalar cannot serialize
        if remember:
            memo[key] = serialized
        return serialized

    return leaf


def _constant(value: str) -> Callable[[Any], str]:
    return lambda _parent: value


def _named(read: Callable[[Any, str], Any], name: str) -> Callable[[Any], Any]:
    return lambda parent: read(parent, name)


def compile_plan(
    schema: strawberry.Schema, document: DocumentNode, name: str | None
) -> Plan | None:
    """A plan for the document's operation, or None where standard execution must run."""
    operation = get_operation_ast(document, name)
    if operation is None or operation.operation is not OperationType.QUERY or operation.directives:
        return None
    graphql_schema = schema._schema
    query_type = graphql_schema.query_type
    assert query_type is not None
    compiler = _Compiler(graphql_schema, document)
    try:
        selected = compiler.collect(query_type, [operation.selection_set])
        roots = [compiler.root(query_type, key, nodes) for key, nodes in selected.items()]
    except Unsupported:
        return None
    registry = schema.schema_converter.scalar_registry
    return Plan(operation, roots, compiler.loads_mentions, schema.config, registry)
