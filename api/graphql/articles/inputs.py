"""Mutation inputs: GraphQL input types that mirror the pydantic write models field by field.

The GraphQL types check shapes (required fields, enums, lists); the values are then handed
to the very pydantic models REST and ingest use (``ArticleCreate`` & co.), so a GraphQL
write is valid exactly when the same REST body would be. Fields left out stay out of the
model's ``model_fields_set``: an update changes only what was sent, and an explicit null
clears a field that can be cleared.

A reference to a source, category or entity is a ``@oneOf`` input: ``{slug: "wire"}``
names a stored one, ``{inline: {...}}`` gives it whole (created, or updated to match).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any, TypeVar

import strawberry
from pydantic import BaseModel, ValidationError

from api.domain.articles import error_path
from api.errors import InvalidInput, InvalidParam
from api.graphql.core.inputs import EntityType, LinkKind, Sentiment

M = TypeVar("M", bound=BaseModel)
UNSET: Any = strawberry.UNSET


@strawberry.input(description="A publisher, given whole (`slug` is its identity).")
class SourceInput:
    slug: str
    name: str
    homepage_url: str
    feed_url: str | None = UNSET
    logo_url: str | None = UNSET


@strawberry.input(description="Fields of a source to change; left out = unchanged.")
class SourceUpdateInput:
    name: str | None = strawberry.field(default=UNSET, description="Cannot be null.")
    homepage_url: str | None = strawberry.field(default=UNSET, description="Cannot be null.")
    feed_url: str | None = strawberry.field(default=UNSET, description="Null clears it.")
    logo_url: str | None = strawberry.field(default=UNSET, description="Null clears it.")


@strawberry.input(description="A category, given whole (`slug` is its identity).")
class CategoryInput:
    slug: str
    name: str
    icon: str | None = UNSET


@strawberry.input(description="An entity, given whole (`slug` is its identity).")
class EntityInput:
    slug: str
    name: str
    type: EntityType
    aliases: list[str] | None = UNSET
    ticker: str | None = UNSET
    wikidata_id: str | None = UNSET
    homepage_url: str | None = UNSET
    description: str | None = UNSET


@strawberry.input(description="Fields of an entity to change; left out = unchanged.")
class EntityUpdateInput:
    name: str | None = strawberry.field(default=UNSET, description="Cannot be null.")
    type: EntityType | None = strawberry.field(default=UNSET, description="Cannot be null.")
    aliases: list[str] | None = strawberry.field(default=UNSET, description="Cannot be null.")
    ticker: str | None = UNSET
    wikidata_id: str | None = UNSET
    homepage_url: str | None = UNSET
    description: str | None = UNSET


@strawberry.input(
    one_of=True,
    description="A source by `slug`, or `inline`: created if new, else updated to match.",
)
class SourceRef:
    slug: str | None = UNSET
    inline: SourceInput | None = UNSET


@strawberry.input(
    one_of=True,
    description="A category by `slug`, or `inline`: created if new, else updated to match.",
)
class CategoryRef:
    slug: str | None = UNSET
    inline: CategoryInput | None = UNSET


@strawberry.input(
    one_of=True,
    description="An entity by `slug`, or `inline`: created if new, else updated to match.",
)
class EntityRef:
    slug: str | None = UNSET
    inline: EntityInput | None = UNSET


@strawberry.input(description="An entity the article mentions.")
class MentionInput:
    entity: EntityRef
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
    source: SourceRef
    category: CategoryRef | None = UNSET
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
    source: SourceRef | None = UNSET
    category: CategoryRef | None = UNSET
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


_REFS = (SourceRef, CategoryRef, EntityRef)


def plain(value: Any) -> Any:
    """An input object as the JSON-like value a REST body would carry (fields given only)."""
    if isinstance(value, _REFS):
        return (
            value.slug
            if value.slug is not UNSET and value.slug is not None
            else plain(value.inline)
        )
    if isinstance(value, list):
        return [plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not UNSET
        }
    return value


_SNAKE = re.compile(r"_([a-z0-9])")


def camel_path(path: str) -> str:
    """``mentions[0].key_takeaways`` -> ``mentions[0].keyTakeaways``: this door's names."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), path)


def field_errors(error: InvalidInput, prefix: str = "") -> InvalidInput:
    """The domain's field names as GraphQL paths, under ``prefix`` (the argument)."""
    params = [
        InvalidParam(f"{prefix}{camel_path(p.name)}" if p.name else prefix.rstrip("."), p.reason)
        for p in error.invalid_params
    ]
    detail = "; ".join(f"{p.name}: {p.reason}" for p in params) or error.detail
    return InvalidInput(detail=detail, invalid_params=params)


def validated(model: type[M], value: Any, argument: str) -> M:
    """``value`` (an input object) as ``model``; pydantic's errors name GraphQL paths."""
    try:
        return model.model_validate(plain(value))
    except ValidationError as exc:
        params = [
            InvalidParam(error_path(e["loc"]), e["msg"])
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise field_errors(InvalidInput(detail="", invalid_params=params), f"{argument}.") from None
