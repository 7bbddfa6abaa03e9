"""What mutations answer: a success type or a ``MutationError``, as a union per mutation.

Expected failures (bad input, stale version, missing key...) are data a client branches
on, so they are union members with a code enum, never top-level errors; anything else stays
a (masked) server error. The codes are those of ``api.errors``, so they read like REST's.
"""

from __future__ import annotations

import enum
from collections import Counter
from typing import Annotated

import strawberry

from api.domain.articles import ItemResult
from api.domain.shared import ArticleRecord, EntityRecord, SourceRecord
from api.errors import BroadsheetError, InvalidInput
from api.graphql.articles.inputs import camel_path
from api.graphql.articles.types import Article
from api.graphql.catalog.types import Entity, Source


@strawberry.enum(description="Why a mutation was refused; REST answers these with the status.")
class MutationErrorCode(enum.Enum):
    BAD_USER_INPUT = "BAD_USER_INPUT"  # 422 (400 for a malformed key or cursor)
    NOT_FOUND = "NOT_FOUND"  # 404
    GONE = "GONE"  # 410: the article was deleted
    CONFLICT = "CONFLICT"  # 409
    PRECONDITION_FAILED = "PRECONDITION_FAILED"  # 412: `expectedVersion` is stale
    UNAUTHENTICATED = "UNAUTHENTICATED"  # 401
    FORBIDDEN = "FORBIDDEN"  # 403


@strawberry.type(description="One offending input: its path and what is wrong with it.")
class InvalidParam:
    name: str = strawberry.field(description="A path such as `input.mentions[0].salience`.")
    reason: str


@strawberry.type(description="A refused mutation: nothing it asked for was written.")
class MutationError:
    code: MutationErrorCode
    message: str
    field: str | None = strawberry.field(
        description="The first offending argument or input path, when there is one."
    )
    invalid_params: list[InvalidParam]


@strawberry.type(description="The article as stored after the write.")
class ArticleMutationSuccess:
    article: Article
    version: int = strawberry.field(description="Pass as `expectedVersion` to change it next.")


@strawberry.type(description="The source as stored after the write.")
class SourceMutationSuccess:
    source: Source
    version: int = strawberry.field(description="Pass as `expectedVersion` to change it next.")


@strawberry.type(description="The entity as stored after the write.")
class EntityMutationSuccess:
    entity: Entity
    version: int = strawberry.field(description="Pass as `expectedVersion` to change it next.")


@strawberry.type(description="A deletion; the changes log carries a `DELETED` entry.")
class DeleteSuccess:
    id: str = strawberry.field(description="The article's public id, or the slug.")


@strawberry.enum(description="What a batch did with one item.")
class BatchItemStatus(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"


@strawberry.type(description="One batch item's outcome; `invalidParams` says why it failed.")
class BatchItemResult:
    index: int
    status: BatchItemStatus
    id: str | None = strawberry.field(description="The article's public id.")
    version: int | None
    invalid_params: list[InvalidParam]


@strawberry.type(description="A batch's outcome per item (in input order) and its counts.")
class UpsertArticlesSuccess:
    items: list[BatchItemResult]
    created: int
    updated: int
    unchanged: int
    errors: int


ArticleResult = Annotated[ArticleMutationSuccess | MutationError, strawberry.union("ArticleResult")]
SourceResult = Annotated[SourceMutationSuccess | MutationError, strawberry.union("SourceResult")]
EntityResult = Annotated[EntityMutationSuccess | MutationError, strawberry.union("EntityResult")]
DeleteResult = Annotated[DeleteSuccess | MutationError, strawberry.union("DeleteResult")]
UpsertArticlesResult = Annotated[
    UpsertArticlesSuccess | MutationError, strawberry.union("UpsertArticlesResult")
]
_CODES = {code.value: code for code in MutationErrorCode}


def mutation_error(error: BroadsheetError) -> MutationError:
    """The union member for an expected error; any other error is re-raised (a 5xx's kind)."""
    code = _CODES.get(error.code)
    if code is None:
        raise error
    params: list[InvalidParam] = []
    if isinstance(error, InvalidInput):
        params = [InvalidParam(name=p.name, reason=p.reason) for p in error.invalid_params]
    return MutationError(
        code=code,
        message=error.detail,
        field=params[0].name if params else None,
        invalid_params=params,
    )


def article_success(article: ArticleRecord) -> ArticleMutationSuccess:
    return ArticleMutationSuccess(article=article, version=article.version)  # type: ignore[arg-type]


def source_success(source: SourceRecord, version: int) -> SourceMutationSuccess:
    return SourceMutationSuccess(source=source, version=version)  # type: ignore[arg-type]


def entity_success(entity: EntityRecord, version: int) -> EntityMutationSuccess:
    return EntityMutationSuccess(entity=entity, version=version)  # type: ignore[arg-type]


def _item_path(index: int, name: str) -> str:
    # "item" is how the batch names a problem with the item as a whole.
    return f"items[{index}]" if name == "item" else f"items[{index}].{camel_path(name)}"


def batch_success(results: list[ItemResult]) -> UpsertArticlesSuccess:
    counts = Counter(r.status for r in results)
    items = [
        BatchItemResult(
            index=r.index,
            status=BatchItemStatus(r.status),
            id=r.id,
            version=r.version,
            invalid_params=[
                InvalidParam(name=_item_path(r.index, p.name), reason=p.reason) for p in r.problems
            ],
        )
        for r in results
    ]
    return UpsertArticlesSuccess(
        items=items,
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        errors=counts["error"],
    )
