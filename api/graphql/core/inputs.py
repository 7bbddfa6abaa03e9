"""Enums, the feed filter input, and argument checks: every bad value names its argument.

The enums are the domain's own, exposed by name; the filter input maps field by field
onto ``api.domain.shared.filters.ArticleFilter``, so a GraphQL filter means what a REST one does.
The bounds mirror the REST door's (slug shape, 1-10 importance, 20 entities, 100 per page).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeAlias

import strawberry

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

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
MAX_SLUG_LENGTH = 120
MAX_FILTER_ENTITIES = 20
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


def _slug_problem(value: str) -> str | None:
    if len(value) > MAX_SLUG_LENGTH or not SLUG.fullmatch(value):
        return f"not a slug (lowercase letters, digits and single hyphens, <= {MAX_SLUG_LENGTH})"
    return None


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


def _moment(value: dt.datetime, name: str, problems: list[InvalidParam]) -> dt.datetime | None:
    try:
        return instant(name, value)
    except InvalidInput as error:
        problems.extend(error.invalid_params)
        return None


def to_article_filter(
    value: ArticleFilterInput | None, argument: str = "filter"
) -> filters.ArticleFilter:
    """The domain filter for a GraphQL one, or InvalidInput naming every bad field."""
    if value is None:
        return filters.ArticleFilter()
    problems: list[InvalidParam] = []

    def slug(name: str, raw: str | None) -> str | None:
        if raw is not None and (problem := _slug_problem(raw)):
            problems.append(InvalidParam(f"{argument}.{name}", problem))
        return raw

    def slugs(name: str, raw: list[str] | None) -> tuple[str, ...]:
        items = tuple(raw or ())
        if len(items) > MAX_FILTER_ENTITIES:
            problems.append(InvalidParam(f"{argument}.{name}", f"at most {MAX_FILTER_ENTITIES}"))
            return ()
        for item in items:
            if problem := _slug_problem(item):
                problems.append(InvalidParam(f"{argument}.{name}", problem))
                break
        return items

    def importance(name: str, raw: int | None) -> int | None:
        if raw is not None and not 1 <= raw <= 10:
            problems.append(InvalidParam(f"{argument}.{name}", "must be within 1..10"))
        return raw

    if value.language is not None and (
        len(value.language) > 35 or not LANGUAGE.fullmatch(value.language)
    ):
        problems.append(InvalidParam(f"{argument}.language", "not a language tag such as `en`"))
    result = filters.ArticleFilter(
        category=slug("category", value.category),
        sentiment=value.sentiment,
        importance_min=importance("importanceMin", value.importance_min),
        importance_max=importance("importanceMax", value.importance_max),
        source=slug("source", value.source),
        entities=slugs("entities", value.entities),
        entity_mode=value.entity_mode or filters.EntityMode.ALL,
        exclude_entities=slugs("excludeEntities", value.exclude_entities),
        published_after=None
        if value.published_after is None
        else _moment(value.published_after, f"{argument}.publishedAfter", problems),
        published_before=None
        if value.published_before is None
        else _moment(value.published_before, f"{argument}.publishedBefore", problems),
        language=value.language,
    )
    if problems:
        raise InvalidInput(
            detail="; ".join(f"{p.name}: {p.reason}" for p in problems), invalid_params=problems
        )
    return result


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
