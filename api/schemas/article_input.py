"""What a client may send to create or change an article: ingest lines, REST and GraphQL.

Bounds mirror the column sizes, so anything that validates here fits the tables: bad input
is a field error, never a database error. Server-owned fields (id, public_id, version,
timestamps) are not declared, and ``extra="forbid"`` refuses them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

from api.models.enums import EntityType, LinkKind, Sentiment

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_MENTIONS = 50
MAX_LINKS = 50
# Tags of the "slug or inline object" unions; error_path() hides them from users.
_BY_SLUG, _INLINE = "by-slug", "inline"
_HTTP_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


def _reject_nul(value: Any) -> Any:
    # PostgreSQL refuses NUL in text; caught here it is a field error, not a 500.
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("nul_byte", "Text must not contain NUL bytes (\\x00)")
    return value


def _http_url(value: str) -> str:
    """Check an absolute http(s) URL, keeping the caller's string: it is the dedup key.

    Only the scheme and host are lowercased (they are case-insensitive); anything more
    aggressive could merge URLs the publisher considers different.
    """
    if not value.lower().startswith(("http://", "https://")):
        raise PydanticCustomError("url_scheme", "URL should start with http:// or https://")
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\x7f" for ch in value):
        raise PydanticCustomError("url_parsing", "URL must not contain whitespace or controls")
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise PydanticCustomError(
            "url_parsing", "Invalid URL: {reason}", {"reason": reason}
        ) from None
    scheme, _, rest = value.partition("://")
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    userinfo, at, host = rest[:end].rpartition("@")
    if not host:
        raise PydanticCustomError("url_parsing", "URL should have a host")
    return f"{scheme.lower()}://{userinfo}{at}{host.lower()}{rest[end:]}"


def _aware(value: Any, handler: ValidatorFunctionWrapHandler) -> dt.datetime:
    # Lax pydantic reads a number as Unix time; the schema says an RFC 3339 string.
    if isinstance(value, int | float):
        raise PydanticCustomError("datetime_type", "Expected an RFC 3339 timestamp string")
    try:
        result: dt.datetime = handler(value)
    except ValidationError as exc:
        if any(error["type"] == "timezone_aware" for error in exc.errors()):
            raise PydanticCustomError(
                "timezone_aware",
                "Timestamp must carry a time zone (e.g. 'Z' or '+02:00'); naive is ambiguous",
            ) from None
        raise
    return result


NoNul = BeforeValidator(_reject_nul)
ArticleSlug = Annotated[str, StringConstraints(max_length=200, pattern=SLUG_PATTERN), NoNul]
RefSlug = Annotated[str, StringConstraints(max_length=100, pattern=SLUG_PATTERN), NoNul]
EntitySlug = Annotated[str, StringConstraints(max_length=120, pattern=SLUG_PATTERN), NoNul]
# Published (not enforced: the validators above give the better message) so the schema says
# what is refused: text is stripped before min_length counts, and NUL is never stored.
# The blanks are what pydantic strips (Unicode White_Space), spelled out: ECMA's \s differs.
_BLANK = r"\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_NOT_BLANK = Field(json_schema_extra={"pattern": rf"^[^\u0000]*[^\u0000{_BLANK}][^\u0000]*$"})
_NO_NUL = Field(json_schema_extra={"pattern": r"^[^\u0000]*$"})
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul, _NOT_BLANK]
Title = Annotated[str, StringConstraints(min_length=1, max_length=500), NoNul, _NOT_BLANK]
Author = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul, _NOT_BLANK]
ImageCredit = Annotated[str, StringConstraints(min_length=1, max_length=300), NoNul, _NOT_BLANK]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=10_000), NoNul, _NOT_BLANK]
Takeaway = Annotated[str, StringConstraints(min_length=1, max_length=500), NoNul, _NOT_BLANK]
Language = Annotated[
    str, StringConstraints(max_length=16, pattern=r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$"), NoNul
]
Icon = Annotated[str, StringConstraints(max_length=16), NoNul, _NO_NUL]
Ticker = Annotated[str, StringConstraints(min_length=1, max_length=20), NoNul, _NOT_BLANK]
WikidataId = Annotated[str, StringConstraints(max_length=20, pattern=r"^Q[1-9][0-9]*$"), NoNul]
WebUrl = Annotated[
    str,
    StringConstraints(max_length=2048),
    AfterValidator(_http_url),
    NoNul,
    Field(json_schema_extra={"format": "uri"}),
]
PublishedAt = Annotated[AwareDatetime, WrapValidator(_aware)]


def _integral(value: Any) -> Any:
    # JSON Schema counts 6.0 as an integer; strictness is for "6" and true, not for that.
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Numbers are strict, as the published schema types them: "0.5", true or "7" are refused
# rather than coerced (an integer is still a valid number).
Unit = Annotated[float, Strict(), Field(ge=0, le=1)]
Importance = Annotated[int, Strict(), Field(ge=1, le=10), BeforeValidator(_integral)]
SentimentScore = Annotated[float, Strict(), Field(ge=-1, le=1)]


def _ref_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return _BY_SLUG
    return _INLINE if isinstance(value, dict | BaseModel) else None


_REF_ERROR = {"custom_error_type": "ref_type", "custom_error_message": "Expected a slug or object"}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


def omit_or_value(*names: str) -> Callable[[dict[str, Any]], None]:
    """JSON Schema of a partial change whose ``names`` may be left out but never null.

    The model declares them ``X | None = None`` (None meaning "not sent") and refuses an
    explicit null; without this the published schema would invite the null it refuses.
    """

    def adjust(schema: dict[str, Any]) -> None:
        for name in names:
            prop = schema["properties"][name]
            branches = [b for b in prop.pop("anyOf", [prop]) if b.get("type") != "null"]
            prop.pop("default", None)
            if len(branches) == 1:
                prop.update(branches[0])
            else:
                prop["anyOf"] = branches

    return adjust


class SourceCreate(_Input):
    """A publisher given inline: created if the slug is new, else the given fields update it."""

    slug: RefSlug
    name: Name
    homepage_url: WebUrl
    feed_url: WebUrl | None = None
    logo_url: WebUrl | None = None


class CategoryCreate(_Input):
    """A category given inline: created if the slug is new, else the given fields update it."""

    slug: RefSlug
    name: Name
    icon: Icon = ""


class EntityCreate(_Input):
    """An entity given inline: created if the slug is new, else the given fields update it."""

    slug: EntitySlug
    name: Name
    type: EntityType
    aliases: Annotated[list[Name], Field(max_length=50)] = []
    ticker: Ticker | None = None
    wikidata_id: WikidataId | None = None
    homepage_url: WebUrl | None = None
    description: LongText | None = None


SourceRef = Annotated[
    Annotated[RefSlug, Tag(_BY_SLUG)] | Annotated[SourceCreate, Tag(_INLINE)],
    Discriminator(_ref_kind, **_REF_ERROR),
]
CategoryRef = Annotated[
    Annotated[RefSlug, Tag(_BY_SLUG)] | Annotated[CategoryCreate, Tag(_INLINE)],
    Discriminator(_ref_kind, **_REF_ERROR),
]
EntityRef = Annotated[
    Annotated[EntitySlug, Tag(_BY_SLUG)] | Annotated[EntityCreate, Tag(_INLINE)],
    Discriminator(_ref_kind, **_REF_ERROR),
]


def ref_slug(ref: str | SourceCreate | CategoryCreate | EntityCreate) -> str:
    return ref if isinstance(ref, str) else ref.slug


class MentionInput(_Input):
    entity: EntityRef
    salience: Unit = Field(description="How central the entity is to the story, 0..1.")
    sentiment: Sentiment | None = None


class LinkInput(_Input):
    url: WebUrl = Field(description="Canonical URL of the target article (in the DB or batch).")
    kind: LinkKind
    score: Unit | None = None


def _unique_entities(mentions: list[MentionInput]) -> list[MentionInput]:
    first: dict[str, int] = {}
    for index, mention in enumerate(mentions):
        slug = ref_slug(mention.entity)
        if slug in first:
            raise PydanticCustomError(
                "duplicate_entity",
                "entity '{slug}' is mentioned twice (mentions[{first}] and mentions[{index}])",
                {"slug": slug, "first": first[slug], "index": index},
            )
        first[slug] = index
    return mentions


def _unique_links(links: list[LinkInput]) -> list[LinkInput]:
    first: dict[tuple[str, LinkKind], int] = {}
    for index, link in enumerate(links):
        key = (link.url, link.kind)
        if key in first:
            raise PydanticCustomError(
                "duplicate_link",
                "link {url} ({kind}) is given twice (links[{first}] and links[{index}])",
                {"url": link.url, "kind": link.kind.value, "first": first[key], "index": index},
            )
        first[key] = index
    return links


Paragraphs = Annotated[list[LongText], Field(max_length=20)]
Takeaways = Annotated[list[Takeaway], Field(max_length=20)]
Mentions = Annotated[
    list[MentionInput], Field(max_length=MAX_MENTIONS), AfterValidator(_unique_entities)
]
Links = Annotated[list[LinkInput], Field(max_length=MAX_LINKS), AfterValidator(_unique_links)]


class ArticleCreate(_Input):
    """One article, upserted by canonical URL: one line of a `broadsheet ingest` file.

    For a URL already stored, only the fields present are compared and changed; an absent
    optional field keeps its stored value (an explicit null clears it).
    """

    url: WebUrl = Field(description="Canonical URL: the dedup key.")
    title: Title
    slug: ArticleSlug | None = Field(
        default=None, description="Derived from the title for a new article when absent."
    )
    source: SourceRef = Field(description="Source slug, or an inline source to create/update.")
    category: CategoryRef | None = None
    author: Author | None = None
    published_at: PublishedAt = Field(description="RFC 3339 timestamp with a time zone.")
    image_url: WebUrl | None = None
    image_credit: ImageCredit | None = None
    sentiment: Sentiment = Sentiment.NEUTRAL
    sentiment_score: SentimentScore | None = None
    importance: Importance
    summary: LongText
    analysis: Paragraphs = []
    key_takeaways: Takeaways = []
    language: Language = "en"
    mentions: Mentions = []
    links: Links = []


# Columns that cannot be cleared: a PATCH may omit them but not send null.
_NULLABLE = {"category", "author", "image_url", "image_credit", "sentiment_score"}
_NOT_NULL = tuple(name for name in ArticleCreate.model_fields if name not in _NULLABLE)


class ArticleUpdate(_Input):
    """A partial change (PATCH): only the fields present are applied."""

    model_config = ConfigDict(json_schema_extra=omit_or_value(*_NOT_NULL))

    url: WebUrl | None = None
    title: Title | None = None
    slug: ArticleSlug | None = None
    source: SourceRef | None = None
    category: CategoryRef | None = None
    author: Author | None = None
    published_at: PublishedAt | None = None
    image_url: WebUrl | None = None
    image_credit: ImageCredit | None = None
    sentiment: Sentiment | None = None
    sentiment_score: SentimentScore | None = None
    importance: Importance | None = None
    summary: LongText | None = None
    analysis: Paragraphs | None = None
    key_takeaways: Takeaways | None = None
    language: Language | None = None
    mentions: Mentions | None = None
    links: Links | None = None

    @field_validator(*_NOT_NULL, mode="before")
    @classmethod
    def _refuse_null(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("not_null", "Field may be omitted but not set to null")
        return value


def error_path(loc: Sequence[int | str]) -> str:
    """``("mentions", 2, "entity", "inline", "name")`` -> ``mentions[2].entity.name``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in (_BY_SLUG, _INLINE):
            path += f".{part}" if path else part
    return path


def ingest_json_schema() -> dict[str, Any]:
    """JSON Schema of one ingest line, published as schema/ingest.schema.json."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **ArticleCreate.model_json_schema(),
    }


def ingest_json_schema_text() -> str:
    """The committed file's exact text: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(ingest_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
