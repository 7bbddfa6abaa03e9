"""The schema: its types, its extensions (limits, masking, caches), and its SDL."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.types import ExecutionContext

from api.graphql.articles.types import Article
from api.graphql.catalog.types import Category, Entity, Source
from api.graphql.core.errors import MASKED_MESSAGE, should_mask
from api.graphql.execution.compiled import CompiledExecution
from api.graphql.limits import rules as limits
from api.graphql.mutations import Mutation
from api.graphql.query import Query
from api.graphql.stories.types import Story
from api.graphql.sync.subscriptions import Subscription

CACHE_SIZE = 256


class DepthLimit(QueryDepthLimiter):
    # The rule class is built once: ValidationCache keys on the rules, and the stock
    # constructor would mint a new class (a cache miss) for every request.
    validation_rules = [depth_validator(limits.MAX_DEPTH, None, None)]

    def __init__(self) -> None:
        pass


class AliasLimit(MaxAliasesLimiter):
    validation_rules = [alias_validator(limits.MAX_ALIASES)]

    def __init__(self) -> None:
        pass


class BroadsheetSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Log only what is ours to fix; a client's bad query is not a server error.
        unexpected = [error for error in errors if should_mask(error)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def extensions(
    *, debug: bool, compiled: bool
) -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    """Factories, not instances: strawberry builds fresh extensions for every request."""
    chain: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=limits.MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        DepthLimit,
        AliasLimit,
        limits.RequestLimits,  # before ValidationCache: it refuses what is too big to validate
        lambda: ValidationCache(maxsize=CACHE_SIZE),
    ]
    if not debug:
        chain.append(
            lambda: MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE)
        )
    if compiled:  # last: every limit and the validation have passed before it runs
        chain.append(CompiledExecution)
    return chain


def build_schema(*, debug: bool = False, compiled: bool = True) -> strawberry.Schema:
    return BroadsheetSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Article, Entity, Source, Category, Story],
        extensions=extensions(debug=debug, compiled=compiled),
    )


def sdl() -> str:
    """The schema as SDL, exactly as served; `schema/schema.graphql` is this, committed."""
    return build_schema().as_str() + "\n"
