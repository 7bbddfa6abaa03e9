"""Article mutation inputs: GraphQL input types that mirror ``ArticleCreate`` & co.

They are checked by the very pydantic models REST and ingest use (``core.validation``).
A source, category or entity is referenced by a catalog ``@oneOf`` input: ``{slug:
"wire"}`` names a stored one, ``{inline: {...}}`` gives it whole (created, or updated to
match); those are the catalog's, referenced lazily (the catalog imports this feature).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql.core.inputs import LinkKind, Sentiment
from api.graphql.core.validation import UNSET

if TYPE_CHECKING:
    from api.graphql.catalog.inputs import CategoryRef, EntityRef, SourceRef

CATALOG_INPUTS = "api.graphql.catalog.inputs"
LazyCategoryRef = Annotated["CategoryRef", strawberry.lazy(CATALOG_INPUTS)]
LazyEntityRef = Annotated["EntityRef", strawberry.lazy(CATALOG_INPUTS)]
LazySourceRef = Annotated["SourceRef", strawberry.lazy(CATALOG_INPUTS)]


@strawberry.input(description="An entity the article mentions.")
class MentionInput:
    entity: LazyEntityRef
    salience: float = strawberry.field(description="How central the entity is, 0-1.")
    sentiment: Sentiment | None = UNSET


@strawberry.input(description="A link to another article, by its canonical URL.")
class LinkInput:
    url: str
    kind: LinkKind
    score: float | None = strawberry.field(default=UNSET, description="0-1.")


@strawberry.input(
    description=(
        "A whole article (create, replace, batch item); the same fields and rules as REST's "
        "ArticleCreate. On replace, fields left out return to their defaults; in a batch, "
        "a stored article (matched by `url`) changes only in the fields given."
    )
)
class ArticleInput:
    url: str = strawberry.field(description="Canonical URL: the dedup key.")
    title: str
    slug: str | None = strawberry.field(
        default=UNSET, description="Derived from the title for a new article when left out."
    )
    source: LazySourceRef
    category: LazyCategoryRef | None = UNSET
    author: str | None = UNSET
    published_at: dt.datetime = strawberry.field(description="With a time zone offset.")
    image_url: str | None = UNSET
    image_credit: str | None = UNSET
    sentiment: Sentiment | None = strawberry.field(
        default=UNSET, description="NEUTRAL if left out."
    )
    sentiment_score: float | None = strawberry.field(default=UNSET, description="-1 to 1.")
    importance: int = strawberry.field(description="1-10.")
    summary: str
    analysis: list[str] | None = UNSET
    key_takeaways: list[str] | None = UNSET
    language: str | None = strawberry.field(default=UNSET, description="`en` if left out.")
    mentions: list[MentionInput] | None = UNSET
    links: list[LinkInput] | None = UNSET


@strawberry.input(
    description=(
        "Fields of an article to change (REST's PATCH): left out = unchanged; null clears "
        "`category`, `author`, `imageUrl`, `imageCredit`, `sentimentScore` and is refused "
        "elsewhere. `mentions` and `links`, when given, replace the whole list."
    )
)
class ArticleUpdateInput:
    url: str | None = UNSET
    title: str | None = UNSET
    slug: str | None = UNSET
    source: LazySourceRef | None = UNSET
    category: LazyCategoryRef | None = UNSET
    author: str | None = UNSET
    published_at: dt.datetime | None = UNSET
    image_url: str | None = UNSET
    image_credit: str | None = UNSET
    sentiment: Sentiment | None = UNSET
    sentiment_score: float | None = UNSET
    importance: int | None = UNSET
    summary: str | None = UNSET
    analysis: list[str] | None = UNSET
    key_takeaways: list[str] | None = UNSET
    language: str | None = UNSET
    mentions: list[MentionInput] | None = UNSET
    links: list[LinkInput] | None = UNSET
