"""Query parameter models and their parsing: every bad value becomes a 400 naming it."""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)
from starlette.datastructures import QueryParams

from api.domain.search import MAX_QUERY_LENGTH
from api.domain.shared import (
    ArticleFilter,
    ArticleOrder,
    EntityMode,
    FilterSlug,
    FilterSlugs,
    ImportanceBound,
    Language,
    Moment,
)
from api.errors import InvalidInput, InvalidParam
from api.models.enums import EntityType, Sentiment

MAX_QUERY_STRING = 8192
FEED_FIELDS = (
    "slug",
    "title",
    "url",
    "source",
    "author",
    "published_at",
    "updated_at",
    "image_url",
    "image_credit",
    "category",
    "sentiment",
    "sentiment_score",
    "importance",
    "summary",
    "language",
    "version",
    "entities",
    "analysis",
    "key_takeaways",
    "story",
)
_FIELD_NAME = "(?:id|" + "|".join(FEED_FIELDS) + ")"
FIELDS_PATTERN = f"^{_FIELD_NAME}(?:,{_FIELD_NAME})*$"
# What a feed item carries when the client names no fields: everything but the long body.
DEFAULT_FEED_FIELDS = frozenset(FEED_FIELDS) - {"analysis", "key_takeaways"}


def _field_list(value: str) -> str:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(FEED_FIELDS) - {"id"})
    if unknown:
        raise ValueError(
            f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(FEED_FIELDS)}"
        )
    return ",".join(names)


Slug = FilterSlug
Timestamp = Moment
Cursor = Annotated[str, Field(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9_-]+$")]


class QueryModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageQuery(QueryModel):
    limit: int = Field(default=20, ge=1, le=100, description="Page size.")
    cursor: Cursor | None = Field(default=None, description="`next_cursor` of the previous page.")


class ArticleFilters(QueryModel):
    """The feed's filters: shared by the feed, search, the syndication feeds and the stream.

    Each rule is the domain's (``api.domain.shared.filters``), which GraphQL's filter input
    validates through as well; only the parameter names (``entity``) are REST's own.
    """

    category: Slug | None = Field(default=None, examples=["ai"])
    sentiment: Sentiment | None = None
    importance_min: ImportanceBound | None = Field(default=None, examples=[7])
    importance_max: ImportanceBound | None = None
    source: Slug | None = Field(default=None, examples=["crypto-briefing"])
    entity: FilterSlugs = Field(
        default_factory=list, description="Repeatable.", examples=[["anthropic"]]
    )
    entity_mode: EntityMode = Field(
        default=EntityMode.ALL, description="`all`: every `entity`; `any`: at least one."
    )
    exclude_entity: FilterSlugs = Field(default_factory=list)
    published_after: Timestamp | None = Field(default=None, description="Inclusive, RFC 3339.")
    published_before: Timestamp | None = Field(default=None, description="Exclusive, RFC 3339.")
    language: Language | None = None

    def to_filter(self) -> ArticleFilter:
        return ArticleFilter(
            category=self.category,
            sentiment=self.sentiment,
            importance_min=self.importance_min,
            importance_max=self.importance_max,
            source=self.source,
            entities=tuple(self.entity),
            entity_mode=self.entity_mode,
            exclude_entities=tuple(self.exclude_entity),
            published_after=self.published_after,
            published_before=self.published_before,
            language=self.language,
        )


# Bases in this order keep the parameters' documented order: paging, filters, fields.
class FilterQuery(ArticleFilters, PageQuery):
    """The feed's filters and sparse fieldset: shared by the feed and search."""

    fields: (
        Annotated[str, Field(max_length=500, pattern=FIELDS_PATTERN), AfterValidator(_field_list)]
        | None
    ) = Field(
        default=None,
        description="Sparse fieldset: comma-separated field names; `id` is always present.",
        examples=["title,summary,source"],
    )

    def field_set(self) -> frozenset[str]:
        return DEFAULT_FEED_FIELDS if self.fields is None else frozenset(self.fields.split(","))


class FeedQuery(FilterQuery):
    order: ArticleOrder = Field(default=ArticleOrder.NEWEST)
    collapse: Literal["story"] | None = Field(
        default=None,
        description="`story`: one item per story, its headline article (the most "
        "important, then the earliest), with `story.size`; paging lists each story once.",
    )


class StoryListQuery(ArticleFilters, PageQuery):
    """Stories with at least one article the feed's filters keep."""

    min_size: int = Field(
        default=2,
        ge=1,
        le=1000,
        description="Only stories of at least this many articles; 1 lists single articles' "
        "stories too.",
    )


class SearchQuery(FilterQuery):
    q: str = Field(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description=(
            'Words (all must match), `"exact phrase"`, `a OR b`, `-excluded` or `-"phrase"`.'
        ),
        examples=['"export ban" nvidia OR amd -rumor'],
    )


class SyndicationQuery(ArticleFilters):
    """RSS, Atom and JSON Feed: the newest articles for any feed filter."""

    collapse: Literal["story"] | None = Field(
        default=None, description="`story`: one entry per story, its headline article."
    )

    limit: int = Field(default=50, ge=1, le=100, description="How many of the newest articles.")


class StreamQuery(ArticleFilters):
    collapse: Literal["story"] | None = Field(
        default=None,
        description="`story`: only articles standing for their story (its headline, or "
        "alone), as the collapsed feed lists them.",
    )
    since: Cursor | None = Field(
        default=None,
        description="Resume after this changes cursor (an event's `id`, or `next_cursor` of "
        "`/v1/changes`). A `Last-Event-ID` header takes precedence. Default: from now.",
    )


class EntityListQuery(PageQuery):
    type: EntityType | None = None
    q: str | None = Field(default=None, min_length=1, max_length=100, description="Name prefix.")


class RelatedQuery(QueryModel):
    limit: int = Field(default=10, ge=1, le=50)
    entity_type: EntityType | None = Field(
        default=None, description="Count only shared entities of this type."
    )
    published_after: Timestamp | None = Field(
        default=None, description="Inclusive, RFC 3339: linked and ranked articles alike."
    )


class RelatedEntitiesQuery(QueryModel):
    limit: int = Field(default=20, ge=1, le=50)


class TrendingQuery(QueryModel):
    window: Literal["24h", "7d"] = Field(
        description="Mentions in this window against the window of equal length before it."
    )
    limit: int = Field(default=20, ge=1, le=50)
    type: EntityType | None = None
    until: Timestamp | None = Field(
        default=None,
        description="Inclusive end of the window, RFC 3339; default: the newest article's time.",
    )


class NoQuery(QueryModel):
    pass


Q = TypeVar("Q", bound=QueryModel)


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list


def parse_query(model: type[Q], params: QueryParams, raw_query: bytes) -> Q:
    """Validate query parameters; unknown, repeated-scalar and invalid ones are all named."""
    if len(raw_query) > MAX_QUERY_STRING:
        raise InvalidInput(
            detail=f"query string longer than {MAX_QUERY_STRING} bytes",
            status=400,
            invalid_params=[InvalidParam("query", "too long")],
        )
    problems: list[InvalidParam] = []
    values: dict[str, Any] = {}
    fields = model.model_fields
    for name, value in params.multi_items():
        if "\x00" in value or "\x00" in name:
            problems.append(InvalidParam(name.replace("\x00", ""), "NUL bytes are not allowed"))
        elif name not in fields:
            problems.append(InvalidParam(name, "unknown parameter"))
        elif _is_list(fields[name].annotation):
            values.setdefault(name, []).append(value)
        elif name in values:
            problems.append(InvalidParam(name, "given more than once"))
        else:
            values[name] = value
    try:
        parsed = model.model_validate(values)
    except ValidationError as exc:
        # A parameter refused above never reached the model: its complaint about it
        # ("Field required") would be a second, wrong reason.
        refused = {problem.name for problem in problems}
        for error in exc.errors(include_url=False, include_input=False):
            location = str(error["loc"][0]) if error["loc"] else "query"
            if location not in refused:
                problems.append(InvalidParam(location, error["msg"]))
    else:
        if not problems:
            return parsed
    detail = "; ".join(f"{p.name}: {p.reason}" for p in problems)
    raise InvalidInput(detail=detail, status=400, invalid_params=problems)
