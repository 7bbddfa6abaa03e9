"""From a validated query to SQL plans: each root field's selection becomes a JSON shape
(``api.domain.feed.shapes``), which the database writes, or a function generated once per
shape builds from typed rows (``api.domain.feed.assembled``): no field is resolved one by
one.

Covered: the root fields ``articles`` (the feed connection) and ``article``, and under
them every article field that is a column, ``source``, ``category``, ``mentions``,
``entities`` and ``relatedLinks`` (with their target articles) with the columns of
theirs; aliases, merged fields, fragments, ``__typename`` and ``@skip``/``@include``.
Anything else raises ``Unsupported`` and the request runs on standard execution, which
stays the reference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
)

from api.domain.feed import Column, Constant, GlobalId, Nested, Shape, ShapeSet

# GraphQL field -> column, per object type.
_COLUMNS: dict[str, dict[str, str]] = {
    "Article": {
        "articleId": "public_id", "slug": "slug", "title": "title", "url": "url",
        "author": "author", "publishedAt": "published_at", "createdAt": "created_at",
        "updatedAt": "updated_at", "imageUrl": "image_url", "imageCredit": "image_credit",
        "sentiment": "sentiment", "sentimentScore": "sentiment_score",
        "importance": "importance", "summary": "summary", "language": "language",
        "version": "version", "keyTakeaways": "key_takeaways", "analysis": "analysis",
    },
    "Source": {"slug": "slug", "name": "name", "homepageUrl": "homepage_url",
               "feedUrl": "feed_url", "logoUrl": "logo_url"},
    "Category": {"slug": "slug", "name": "name", "icon": "icon"},
    "Entity": {"slug": "slug", "name": "name", "type": "type", "aliases": "aliases",
               "ticker": "ticker", "wikidataId": "wikidata_id",
               "homepageUrl": "homepage_url", "description": "description"},
    "Mention": {"salience": "salience", "sentiment": "sentiment"},
    "RelatedLink": {"kind": "kind", "score": "score"},
}  # fmt: skip
# GraphQL field -> (relation, child type), per object type.
_RELATIONS: dict[str, dict[str, tuple[Any, str]]] = {
    "Article": {
        "source": ("source", "Source"),
        "category": ("category", "Category"),
        "mentions": ("mentions", "Mention"),
        "entities": ("entities", "Entity"),
        "relatedLinks": ("links", "RelatedLink"),
    },
    "Mention": {"entity": ("entity", "Entity")},
    "RelatedLink": {"article": ("article", "Article")},
}
_NODES = frozenset({"Article", "Source", "Category", "Entity"})
_PAGE_INFO = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})


class Unsupported(Exception):
    """The query is outside what the SQL plans cover."""


Fields = dict[str, list[FieldNode]]
EdgePart = tuple[str, Literal["cursor", "node", "typename"], int]


@dataclass(frozen=True, slots=True)
class ConnectionPlan:
    """What an ``ArticleConnection`` selection asks for, in response-key order."""

    shapes: ShapeSet  # the distinct article shapes its edges and nodes need
    parts: tuple[tuple[str, str, Any], ...]  # (key, part, detail)


@dataclass(frozen=True, slots=True)
class RootPlan:
    key: str
    field: Literal["articles", "article", "__typename"]
    node: FieldNode | None
    connection: ConnectionPlan | None = None
    shape: ShapeSet | None = None


class Compiler:
    """Plans one operation of a validated document, for given variable values (the ones
    ``@skip``/``@include`` and nested arguments read decide the shapes)."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: VariableValues
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def roots(self, operation: OperationDefinitionNode) -> tuple[RootPlan, ...]:
        if operation.operation.value != "query":
            raise Unsupported("not a query")
        plans: list[RootPlan] = []
        for key, nodes in self.collect("Query", [operation.selection_set]).items():
            name = nodes[0].name.value
            if name == "__typename":
                plans.append(RootPlan(key, "__typename", None))
            elif name == "articles":
                plans.append(RootPlan(key, "articles", nodes[0], connection=self.connection(nodes)))
            elif name == "article":
                shape = ShapeSet((self.shape("Article", nodes),))
                plans.append(RootPlan(key, "article", nodes[0], shape=shape))
            else:
                raise Unsupported(f"root field {name}")
        return tuple(plans)

    def collect(self, type_name: str, selection_sets: Iterable[SelectionSetNode]) -> Fields:
        """Fields by response key, in document order, as graphql-core collects them."""
        fields: Fields = {}
        visited: set[str] = set()

        def walk(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if self._applies(selection.type_condition, type_name):
                        walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if name in visited or fragment is None:
                        continue
                    visited.add(name)
                    if self._applies(fragment.type_condition, type_name):
                        walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        return fields

    def _included(self, node: Any) -> bool:
        if not node.directives:
            return True
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def _applies(self, condition: Any, type_name: str) -> bool:
        if condition is None or condition.name.value == type_name:
            return True
        return condition.name.value == "Node" and type_name in _NODES

    def _children(self, type_name: str, nodes: list[FieldNode]) -> Fields:
        return self.collect(type_name, (n.selection_set for n in nodes if n.selection_set))

    def shape(self, type_name: str, nodes: list[FieldNode]) -> Shape:
        pairs: list[tuple[str, Any]] = []
        columns = _COLUMNS[type_name]
        relations = _RELATIONS.get(type_name, {})
        for key, field_nodes in self._children(type_name, nodes).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                pairs.append((key, Constant(f'"{type_name}"')))
            elif name == "id" and type_name in _NODES:
                pairs.append((key, GlobalId()))
            elif name in columns:
                pairs.append((key, Column(columns[name])))
            elif name in relations:
                relation, child = relations[name]
                entity_type = self._entity_type(type_name, field_nodes[0])
                pairs.append((key, Nested(relation, self.shape(child, field_nodes), entity_type)))
            else:
                raise Unsupported(f"{type_name}.{name}")
        return tuple(pairs)

    def _entity_type(self, type_name: str, node: FieldNode) -> str | None:
        if not node.arguments:
            return None
        field = self.schema.get_type(type_name).fields[node.name.value]  # type: ignore[union-attr]
        value = get_argument_values(field, node, self.variables).get("type")
        return None if value is None else str(getattr(value, "value", value))

    def connection(self, nodes: list[FieldNode]) -> ConnectionPlan:
        shapes: list[Shape] = []

        def shape_index(field_nodes: list[FieldNode]) -> int:
            shape = self.shape("Article", field_nodes)
            if shape not in shapes:
                shapes.append(shape)
            return shapes.index(shape)

        parts: list[tuple[str, str, Any]] = []
        for key, field_nodes in self._children("ArticleConnection", nodes).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                parts.append((key, "typename", '"ArticleConnection"'))
            elif name == "totalCount":
                parts.append((key, "totalCount", None))
            elif name == "nodes":
                parts.append((key, "nodes", shape_index(field_nodes)))
            elif name == "pageInfo":
                info: list[tuple[str, str]] = []
                for info_key, info_nodes in self._children("PageInfo", field_nodes).items():
                    info_name = info_nodes[0].name.value
                    if info_name != "__typename" and info_name not in _PAGE_INFO:
                        raise Unsupported(f"PageInfo.{info_name}")
                    info.append((info_key, info_name))
                parts.append((key, "pageInfo", tuple(info)))
            elif name == "edges":
                edge: list[EdgePart] = []
                for edge_key, edge_nodes in self._children("ArticleEdge", field_nodes).items():
                    edge_name = edge_nodes[0].name.value
                    if edge_name == "cursor":
                        edge.append((edge_key, "cursor", 0))
                    elif edge_name == "node":
                        edge.append((edge_key, "node", shape_index(edge_nodes)))
                    elif edge_name == "__typename":
                        edge.append((edge_key, "typename", 0))
                    else:
                        raise Unsupported(f"ArticleEdge.{edge_name}")
                parts.append((key, "edges", tuple(edge)))
            else:
                raise Unsupported(f"ArticleConnection.{name}")
        return ConnectionPlan(ShapeSet(tuple(shapes)), tuple(parts))


def shape_variables(document: DocumentNode, operation: OperationDefinitionNode) -> frozenset[str]:
    """The variables a plan's shapes depend on: those read by directives or by arguments
    below the root fields (root arguments are bound at execution, not planned)."""
    names: set[str] = set()

    def visit(node: Any, depth: int) -> None:
        for directive in getattr(node, "directives", None) or ():
            names.update(_variables_in(directive))
        if depth > 0:
            for argument in getattr(node, "arguments", None) or ():
                names.update(_variables_in(argument))
        selection_set = getattr(node, "selection_set", None)
        for selection in selection_set.selections if selection_set else ():
            visit(selection, depth + 1 if isinstance(selection, FieldNode) else depth)

    visit(operation, -1)
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            visit(definition, 1)  # a fragment may be spread at the root: counted as nested
    return frozenset(names)


def _variables_in(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        kind = getattr(current, "kind", "")
        if kind == "variable":
            found.add(current.name.value)
        for attribute in ("value", "values", "fields", "arguments"):
            child = getattr(current, attribute, None)
            if isinstance(child, list | tuple):
                stack.extend(child)
            elif child is not None and hasattr(child, "kind"):
                stack.append(child)
    return found
