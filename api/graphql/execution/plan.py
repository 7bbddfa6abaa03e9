"""A compiled plan and how it runs: the root fields through their resolvers, then one
function per field below them (built by ``api.graphql.execution.compiler``)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    located_error,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema_converter import get_arguments
from strawberry.types.field import StrawberryField

from api.domain.shared import ArticleRecord
from api.graphql.core.context import Context


class StepAside(Exception):
    """At run time: let standard execution answer this request."""


Complete = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Info:
    """What root resolvers get for ``info``: the request's context, nothing else."""

    context: Context

    def __getattr__(self, name: str) -> Any:
        raise StepAside(f"a resolver asked info for {name}")


@dataclass(slots=True)
class RootField:
    key: str
    strawberry_field: StrawberryField
    graphql_field: Any
    node: FieldNode
    articles: Callable[[Any], Iterable[ArticleRecord]]
    complete: Complete


@dataclass(slots=True)
class Plan:
    operation: OperationDefinitionNode
    roots: list[RootField]
    loads_mentions: bool
    config: StrawberryConfig
    scalars: Any  # the schema's scalar registry, for argument conversion
    fallbacks: int = field(default=0)

    async def run(self, schema: GraphQLSchema, context: Context, variables: Any) -> ExecutionResult:
        definitions = self.operation.variable_definitions or ()
        coerced = get_variable_values(schema, definitions, variables or {})
        if isinstance(coerced, list):  # variables that do not coerce: the standard errors
            raise StepAside
        info = _Info(context)
        values = []
        for root in self.roots:
            try:
                values.append(await self._resolve_root(root, info, coerced))
            except StepAside:
                raise
            except Exception as error:
                if len(self.roots) > 1:
                    raise StepAside from error  # graphql-core's sibling handling decides
                # As graphql-core reports a failed root field: located at it, its value
                # null, and with it the data when the field may not be null.
                located = located_error(error, [root.node], [root.key])
                nullable = not isinstance(root.graphql_field.type, GraphQLNonNull)
                return ExecutionResult({root.key: None} if nullable else None, [located])
        if self.loads_mentions:
            await _load_mentions(context, self.roots, values)
        pairs = zip(self.roots, values, strict=True)
        return ExecutionResult({root.key: root.complete(value) for root, value in pairs}, None)

    async def _resolve_root(self, root: RootField, info: _Info, variables: Any) -> Any:
        raw = get_argument_values(root.graphql_field, root.node, variables)
        args, kwargs = get_arguments(
            field=root.strawberry_field,
            source=None,
            info=info,  # type: ignore[arg-type]
            kwargs=raw,
            config=self.config,
            scalar_registry=self.scalars,
        )
        resolver = root.strawberry_field.base_resolver
        assert resolver is not None
        value = resolver(*args, **kwargs)
        return await value if inspect.isawaitable(value) else value


async def _load_mentions(context: Context, roots: list[RootField], values: list[Any]) -> None:
    articles = [a for root, v in zip(roots, values, strict=True) for a in root.articles(v)]
    missing = [a for a in articles if a.mentions is None]
    if missing:
        loaded = await context.loaders.mentions_by_article.load_many([a.pk for a in missing])
        for article, mentions in zip(missing, loaded, strict=True):
            article.mentions = mentions
