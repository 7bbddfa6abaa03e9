"""What article mutations answer: the article as stored, or a batch's outcome per item.

Each is the success member of a ``Success | MutationError`` union (``core.results``).
"""

from __future__ import annotations

import enum
from collections import Counter
from typing import Annotated

import strawberry

from api.domain.articles import ItemResult
from api.domain.shared import ArticleRecord
from api.graphql.articles.types import Article
from api.graphql.core.results import POSITION, InvalidParam, MutationError
from api.graphql.core.validation import camel_path


@strawberry.type(description="The article as stored after the write.")
class ArticleMutationSuccess:
    article: Article
    version: int = strawberry.field(description="Pass as `expectedVersion` to change it next.")
    position: str | None = strawberry.field(default=None, description=POSITION)


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
    position: str | None = strawberry.field(default=None, description=POSITION)


ArticleResult = Annotated[ArticleMutationSuccess | MutationError, strawberry.union("ArticleResult")]
UpsertArticlesResult = Annotated[
    UpsertArticlesSuccess | MutationError, strawberry.union("UpsertArticlesResult")
]


def article_success(article: ArticleRecord) -> ArticleMutationSuccess:
    return ArticleMutationSuccess(article=article, version=article.version)  # type: ignore[arg-type]


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
