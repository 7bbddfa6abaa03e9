"""Enums, the feed filter input, and argument checks: every bad value names its argument.

The enums are the domain's own, exposed by name; the filter input is validated by the
domain's ``ArticleFilterRules``, as REST's query parameters are, so a GraphQL filter means
and refuses what a REST one does.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias

import strawberry
from pydantic import ValidationError

from api.domain import shared as filters
from api.domain.feed import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from api.errors import InvalidInput, InvalidParam
from api.graphql.core.errors import bad_argument
from api.models import enums

# strawberry.enum registers the domain's enums in place; the aliases keep them usable as
# annotations for mypy (a call's result would be a variable, not a type).
strawberry.enum(enums.Sentiment, name="Sentiment", description="Market sentiment of a story.")
strawberry.enum(enums.EntityType, name="EntityType", description="What kind of thing an entity is.")
strawberry.enum(
    enums.LinkKind, name="LinkKind", description="Why an editor or pipeline linked two stories."
)
strawberry.enum(
    filters.ArticleOrder,
    name="ArticleOrder",
    description="NEWEST: by publication time; IMPORTANCE: by importance, then newest.",
)
strawberry.enum(
    filters.EntityMode,
    name="EntityMode",
    description="ALL: articles mentioning every listed entity; ANY: at least one of them.",
)
Sentiment: TypeAlias = enums.Sentiment
EntityType: TypeAlias = enums.EntityType
LinkKind: TypeAlias = enums.LinkKind
ArticleOrder: TypeAlias = filters.ArticleOrder
EntityMode: TypeAlias = filters.EntityMode

MAX_KEY_LENGTH = 200
MAX_NAME_QUERY = 100


@strawberry.input(
    name="ArticleFilter",
    description="Narrows a feed; all given conditions must hold. Unknown slugs match nothing.",
)
class ArticleFilterInput:
    category: str | None = None
    sentiment: Sentiment | None = None
    importance_min: int | None = strawberry.field(default=None, description="1-10, inclusive.")
    importance_max: int | None = strawberry.field(default=None, description="1-10, inclusive.")
    source: str | None = None
    entities: list[str] | None = strawberry.field(
        default=None, description="Entity slugs (at most 20), combined by `entityMode`."
    )
    entity_mode: EntityMode | None = filters.EntityMode.ALL
    exclude_entities: list[str] | None = strawberry.field(
        default=None, description="Entity slugs (at most 20) no result may mention."
    )
    published_after: dt.datetime | None = strawberry.field(
        default=None, description="Inclusive; must carry a time zone offset."
    )
    published_before: dt.datetime | None = strawberry.field(
        default=None, description="Exclusive; must carry a time zone offset."
    )
    language: str | None = strawberry.field(default=None, description="BCP 47, e.g. `en`.")


def instant(name: str, value: dt.datetime | None) -> dt.datetime | None:
    """A moment argument in UTC; it must carry a time zone offset."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise bad_argument(name, "must carry a time zone offset, e.g. Z or +02:00")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise bad_argument(name, "date out of range") from None


# The filter input's field names as GraphQL spells them, for errors naming the field.
_FILTER_FIELDS = {
    "importance_min": "importanceMin",
    "importance_max": "importanceMax",
    "entity_mode": "entityMode",
    "exclude_entities": "excludeEntities",
    "published_after": "publishedAfter",
    "published_before": "publishedBefore",
}


def to_article_filter(
    value: ArticleFilterInput | None, argument: str = "filter"
) -> filters.ArticleFilter:
    """The domain filter for a GraphQL one, validated by the domain's rules (as REST's is),
    or InvalidInput naming every bad field."""
    if value is None:
        return filters.ArticleFilter()
    try:
        rules = filters.ArticleFilterRules(
            category=value.category,
            sentiment=value.sentiment,
            importance_min=value.importance_min,
            importance_max=value.importance_max,
            source=value.source,
            entities=value.entities or [],
            entity_mode=value.entity_mode or filters.EntityMode.ALL,
            exclude_entities=value.exclude_entities or [],
            published_after=value.published_after,
            published_before=value.published_before,
            language=value.language,
        )
    except ValidationError as exc:
        problems: dict[str, InvalidParam] = {}
        for error in exc.errors(include_url=False, include_input=False):
            field = str(error["loc"][0])
            name = f"{argument}.{_FILTER_FIELDS.get(field, field)}"
            problems.setdefault(name, InvalidParam(name, error["msg"]))  # one reason a field
        raise InvalidInput(
            detail="; ".join(f"{p.name}: {p.reason}" for p in problems.values()),
            invalid_params=list(problems.values()),
        ) from None
    return rules.to_filter()


def page_size(
    first: int | None, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE
) -> int:
    """``first`` checked against the page bounds; null means the default."""
    if first is None:
        return default
    if not 1 <= first <= maximum:
        raise bad_argument("first", f"must be between 1 and {maximum}, got {first}")
    return first


def cursor(after: str | None) -> str | None:
    """Shape checks only; the domain decodes the cursor and refuses foreign ones."""
    if after is not None and (not after or len(after) > 512):
        raise bad_argument("after", "malformed cursor; pass endCursor back unchanged")
    return after


def lookup_key(name: str, value: str) -> str:
    """A slug or id to look up: anything printable may simply not exist (null)."""
    if len(value) > MAX_KEY_LENGTH:
        raise bad_argument(name, f"longer than {MAX_KEY_LENGTH} characters")
    return value


def name_query(query: str | None) -> str | None:
    if query is not None and not 1 <= len(query) <= MAX_NAME_QUERY:
        raise bad_argument("query", f"must be 1..{MAX_NAME_QUERY} characters")
    return query
