"""Compiled execution: a validated query turned once into plain functions, then run per
request without graphql-core's per-field machinery.

Standard execution pays for every field of every object: an info object, argument
parsing, the resolver wrapper, type checks, awaitable checks. A feed page of 20 cards
is about a thousand fields. A plan does the same work with one call per field: read the
attribute (or call the field's own plain resolver), serialize it with the very scalar or
enum serializer graphql-core uses, and put it under its response key, after the same
field collection (aliases, merging, fragments, document order).

What a plan covers, decided when it is built (anything else runs as before):
- queries whose root fields are in ``ROOT_ARTICLES`` (the feed, one article), without
  directives;
- below the root, fields that are attributes or plain resolvers of the parent alone, and
  an article's ``mentions``/``entities`` (loaded for the whole page in one statement,
  as the standard path's loader does).

A root field that fails (a bad argument, a gone article, a failed statement) is reported
as graphql-core reports it. Anything else the standard path would handle differently (a
null in a non-null field, variables that do not coerce, a resolver asking ``info`` for
more than the context) makes the plan step aside, and standard execution answers; a
plan that keeps stepping aside is dropped. ``tests/graphql/execution/test_gql_compiled.py``
checks over generated queries that both ways answer alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import lru_cache

import strawberry
from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

from api.graphql.core.context import Context
from api.graphql.execution.compiler import compile_plan
from api.graphql.execution.plan import Plan

# Documents longer than this are not compiled (nor cached), as in the endpoint's plan.
MAX_DOCUMENT_CHARS = 8192
# A plan that stepped aside this many times is dropped: it would only cost time.
MAX_FALLBACKS = 3


@dataclass(frozen=True, slots=True)
class _PlanKey:
    schema: strawberry.Schema
    query: str
    operation_name: str | None
    document: DocumentNode = field(compare=False, hash=False)


@lru_cache(maxsize=256)
def _plan(key: _PlanKey) -> Plan | None:
    return compile_plan(key.schema, key.document, key.operation_name)


class CompiledExecution(SchemaExtension):
    """Runs a query by its plan when it has one. Listed last: the limits and the
    validation have passed by then."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        query, document = context.query, context.graphql_document
        if (
            context.result is None
            and query is not None
            and document is not None
            and len(query) <= MAX_DOCUMENT_CHARS
        ):
            key = _PlanKey(context.schema, query, context.operation_name, document)
            plan = _plan(key)
            if plan is not None and plan.fallbacks < MAX_FALLBACKS:
                await self._run(plan)
        yield

    async def _run(self, plan: Plan) -> None:
        context = self.execution_context
        request_context: Context = context.context
        try:
            result = await plan.run(context.schema._schema, request_context, context.variables)
        except Exception:
            # A null where none may be, a resolver wanting more than the context, a
            # failure past the root fields: the standard path answers with its own errors.
            plan.fallbacks += 1
            request_context.forget_loaded()
            return
        context.result = result
