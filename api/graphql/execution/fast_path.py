"""The lean path: a known query runs its SQL plans without strawberry's per-request pipeline.

A document is parsed, checked against every limit and validated once, then cached (keyed
by its text and operation name, bounded). A request for it coerces its variables and plans
the operation (both kept per document and variable values), runs each root field's
statements on the driver (``Database.reads``; ``totalCount`` is one more) and writes the
response's JSON at once, around its articles (``api.domain.feed.shaped``). Whatever the
plans do not cover, and every request that would answer with
an error, returns None: the caller then runs standard execution, which answers exactly as
it always has. Equivalence with standard execution is held by a property test
(tests/graphql/execution/test_gql_sql_plans.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import orjson
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from api.db import Reads
from api.domain.feed import ShapedPage, count_articles, shaped_article, shaped_page
from api.domain.shared import ArticleFilter, ArticleFilterRules, ArticleOrder
from api.graphql.core import inputs
from api.graphql.core.ids import from_global_id
from api.graphql.execution.sql_plan import (
    Compiler,
    ConnectionPlan,
    RootPlan,
    Unsupported,
    shape_variables,
)
from api.graphql.limits import rules as limits
from api.graphql.limits.cost import estimate_nodes

MAX_DOCUMENT_CHARS = 8192
CACHE_SIZE = 256
MAX_KEPT_VARIABLES = 1024  # bytes of JSON
_RULES = (
    *specified_rules,
    depth_validator(limits.MAX_DEPTH, None, None),
    alias_validator(limits.MAX_ALIASES),
)
# Filter input fields as the domain names them.
_FILTER_NAMES = {
    "importanceMin": "importance_min",
    "importanceMax": "importance_max",
    "entityMode": "entity_mode",
    "excludeEntities": "exclude_entities",
    "publishedAfter": "published_after",
    "publishedBefore": "published_before",
}
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Bounded(OrderedDict[K, V]):
    """A least-recently-used map of at most ``CACHE_SIZE`` entries."""

    def remember(self, key: K, value: V) -> V:
        self[key] = value
        if len(self) > CACHE_SIZE:
            self.popitem(last=False)
        return value


class StepAside(Exception):
    """This request is standard execution's to answer (an error, or a case not planned)."""


@dataclass(frozen=True, slots=True)
class Prepared:
    document: DocumentNode
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    shape_variables: tuple[str, ...]
    # The operation's plans by the values of its shape variables (bounded).
    plans: _Bounded[tuple[Hashable, ...], tuple[RootPlan, ...] | None] = field(
        default_factory=lambda: _Bounded()
    )
    readied: _Bounded[Hashable, Ready | None] = field(default_factory=lambda: _Bounded())


class FastPath:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._prepared: _Bounded[tuple[str, str | None], Prepared | None] = _Bounded()

    def prepare(self, query: str, operation_name: str | None) -> Prepared | None:
        """The checked document, or None when the request is not for the lean path."""
        if len(query) > MAX_DOCUMENT_CHARS:
            return None
        key = (query, operation_name)
        if key in self._prepared:
            self._prepared.move_to_end(key)
            return self._prepared[key]
        return self._prepared.remember(key, self._check(query, operation_name))

    def _check(self, query: str, operation_name: str | None) -> Prepared | None:
        # A NUL escape in the document is refused by the limits, with its own message.
        if "\\u0000" in query:
            return None
        try:
            document = parse(query, max_tokens=limits.MAX_TOKENS, no_location=True)
        except GraphQLError:
            return None
        if limits.expanded_size(document) > limits.MAX_EXPANDED_FIELDS:
            return None
        if validate(self.schema, document, _RULES):
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation.value != "query":
            return None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        names = tuple(sorted(shape_variables(document, operation)))
        return Prepared(document, operation, fragments, names)

    def _plan(self, prepared: Prepared, variables: VariableValues) -> tuple[RootPlan, ...]:
        key = tuple(_typed_key(variables.coerced.get(n)) for n in prepared.shape_variables)
        if key in prepared.plans:
            plans = prepared.plans[key]
        else:
            try:
                compiler = Compiler(self.schema, prepared.document, variables)
                plans = compiler.roots(prepared.operation)
            except Unsupported:
                plans = None
            prepared.plans.remember(key, plans)
        if plans is None:
            raise StepAside
        return plans

    def ready(self, prepared: Prepared, raw_variables: Mapping[str, Any] | None) -> Ready | None:
        """Everything a run needs but the database: variables coerced, limits checked,
        the operation planned and each root field's arguments read. None when the request
        is standard execution's (an error to report, or something not planned).

        Kept per document and variable values: a feed's first page, its most asked for,
        then costs a lookup. The key keeps each value's JSON type (``true`` is not ``1``).
        """
        if raw_variables and len(orjson.dumps(raw_variables)) > MAX_KEPT_VARIABLES:
            return self._ready(prepared, raw_variables)  # not worth keeping
        key = _typed_key(raw_variables or {})
        if key in prepared.readied:
            return prepared.readied[key]
        return prepared.readied.remember(key, self._ready(prepared, raw_variables))

    def _ready(self, prepared: Prepared, raw_variables: Mapping[str, Any] | None) -> Ready | None:
        variables_in = dict(raw_variables or {})
        if variables_in and b"\\u0000" in orjson.dumps(variables_in):
            return None
        coerced = get_variable_values(
            self.schema, prepared.operation.variable_definitions or (), variables_in
        )
        if isinstance(coerced, list):
            return None
        if not self._within_nodes(prepared, coerced):
            return None
        try:
            plans = self._plan(prepared, coerced)
            return Ready(tuple(self._call(plan, coerced) for plan in plans))
        except StepAside:
            return None
        except Exception:  # an argument that does not hold: reported as usual
            return None

    def _within_nodes(self, prepared: Prepared, variables: VariableValues) -> bool:
        """The node limit (estimated once per document and variable values: ``ready``
        keeps its answer)."""
        nodes = estimate_nodes(
            self.schema, prepared.operation, prepared.fragments, variables.coerced
        )
        return nodes <= limits.MAX_NODES

    def _call(self, plan: RootPlan, variables: VariableValues) -> RootCall:
        if plan.field == "__typename" or plan.node is None:
            return RootCall(plan)
        field = self.schema.query_type.fields[plan.node.name.value]  # type: ignore[union-attr]
        args = get_argument_values(field, plan.node, variables)
        if plan.connection is not None:
            if args.get("collapse") is not None:
                raise StepAside  # the feed collapsed by story: standard execution's
            return RootCall(
                plan,
                article_filter=_filter(args.get("filter")),
                order=ArticleOrder(args.get("orderBy") or ArticleOrder.NEWEST),
                limit=inputs.page_size(args.get("first")),
                cursor=inputs.cursor(args.get("after")),
            )
        return RootCall(plan, lookup=_lookup(args))

    async def execute(self, reads: Reads, ready: Ready) -> bytes | None:
        """The response body, or None for standard execution to answer instead."""
        # One JSON write for the whole response, around the database's JSON (fragments).
        try:
            data = {call.plan.key: await _run(reads, call) for call in ready.calls}
        except StepAside:
            return None
        except Exception:  # a statement failed: standard execution reports it as usual
            return None
        return orjson.dumps({"data": data})


@dataclass(frozen=True, slots=True)
class RootCall:
    """A planned root field with its arguments read."""

    plan: RootPlan
    article_filter: ArticleFilter | None = None
    order: ArticleOrder = ArticleOrder.NEWEST
    limit: int = 0
    cursor: str | None = None
    lookup: tuple[Literal["public_id", "slug"], str] | None = None


@dataclass(frozen=True, slots=True)
class Ready:
    calls: tuple[RootCall, ...]


async def _run(reads: Reads, call: RootCall) -> Any:
    plan = call.plan
    if plan.connection is not None:
        return await _connection(reads, plan.connection, call)
    if plan.shape is not None and call.lookup is not None:
        by, key = call.lookup
        found = await shaped_article(reads, plan.shape, by=by, key=key)
        if found is None:
            raise StepAside  # null, or a GONE error: standard execution tells them apart
        return found
    return "Query"


async def _connection(reads: Reads, plan: ConnectionPlan, call: RootCall) -> dict[str, Any]:
    article_filter = call.article_filter or ArticleFilter()
    page = await shaped_page(
        reads,
        plan.shapes,
        article_filter,
        order=call.order,
        limit=call.limit,
        cursor=call.cursor,
    )
    written: dict[str, Any] = {}
    for key, part, detail in plan.parts:
        if part == "typename":
            written[key] = detail
        elif part == "totalCount":
            written[key] = await count_articles(reads, article_filter)
        elif part == "nodes":
            written[key] = [item[detail] for item in page.items]
        elif part == "pageInfo":
            written[key] = _page_info(page, detail)
        else:
            written[key] = _edges(page, detail)
    return written


def _edges(page: ShapedPage, parts: tuple[tuple[str, str, int], ...]) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    for index, item in enumerate(page.items):
        edge: dict[str, Any] = {}
        for key, part, shape in parts:
            if part == "cursor":
                edge[key] = page.cursor(index)
            elif part == "node":
                edge[key] = item[shape]
            else:
                edge[key] = "ArticleEdge"
        edges.append(edge)
    return edges


def _page_info(page: ShapedPage, parts: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    last = len(page.items) - 1
    values = {
        "hasNextPage": page.has_next,
        "hasPreviousPage": False,
        "startCursor": page.cursor(0) if page.items else None,
        "endCursor": page.cursor(last) if page.items else None,
        "__typename": "PageInfo",
    }
    return {key: values[name] for key, name in parts}


def _lookup(args: dict[str, Any]) -> tuple[Literal["public_id", "slug"], str]:
    """How ``article(id:|slug:)`` finds its article, as standard execution reads the
    arguments; StepAside for anything it would answer with null or an error."""
    id_, slug = args.get("id"), args.get("slug")
    if (id_ is None) == (slug is None):
        raise StepAside  # standard execution names the mistake
    if slug is not None:
        return "slug", inputs.lookup_key("slug", slug)
    key = inputs.lookup_key("id", str(id_))
    decoded = from_global_id(key)
    if decoded is not None:
        if decoded[0] != "Article":
            raise StepAside
        key = decoded[1]
    return "public_id", key


def _filter(value: Mapping[str, Any] | None) -> ArticleFilter:
    if value is None:
        return ArticleFilter()
    fields = {_FILTER_NAMES.get(name, name): item for name, item in value.items()}
    fields = {name: item for name, item in fields.items() if item is not None}
    return ArticleFilterRules(**fields).to_filter()


def _typed_key(value: Any) -> Hashable:
    """A (JSON or coerced) value as a hashable key that tells apart values Python finds
    equal (``true``/``1``/``1.0``), so each keeps its own coercion and plan."""
    if isinstance(value, dict):
        return ("object", tuple(sorted((k, _typed_key(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("array", tuple(_typed_key(v) for v in value))
    return (type(value).__name__, value)
