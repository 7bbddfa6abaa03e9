"""What a client may send to create or change an article: ingest lines, REST and GraphQL.

Bounds mirror the column sizes, so anything that validates here fits the tables: bad input
is a field error, never a database error. Server-owned fields (id, public_id, version,
timestamps) are not declared, and ``extra="forbid"`` refuses them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
)
from pydantic_core import PydanticCustomError

from api.domain.shared.inputs import (
    ArticleSlug,
    Author,
    EntitySlug,
    Icon,
    ImageCredit,
    Importance,
    InputModel,
    Language,
    LongText,
    Name,
    PublishedAt,
    RefSlug,
    SentimentScore,
    Takeaway,
    Ticker,
    Title,
    Unit,
    WebUrl,
    WikidataId,
    omit_or_value,
)
from api.models.enums import EntityType, LinkKind, Sentiment

MAX_MENTIONS = 50
MAX_LINKS = 50
# Tags of the "slug or inline object" unions; error_path() hides them from users.
_BY_SLUG, _INLINE = "by-slug", "inline"


def _ref_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return _BY_SLUG
    return _INLINE if isinstance(value, dict | BaseModel) else None


_REF_ERROR = {"custom_error_type": "ref_type", "custom_error_message": "Expected a slug or object"}


class SourceCreate(InputModel):
    """A publisher given inline: created if the slug is new, else the given fields update it."""

    slug: RefSlug
    name: Name
    homepage_url: WebUrl
    feed_url: WebUrl | None = None
    logo_url: WebUrl | None = None


class CategoryCreate(InputModel):
    """A category given inline: created if the slug is new, else the given fields update it."""

    slug: RefSlug
    name: Name
    icon: Icon = ""


class EntityCreate(InputModel):
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


class MentionInput(InputModel):
    entity: EntityRef
    salience: Unit = Field(description="How central the entity is to the story, 0..1.")
    sentiment: Sentiment | None = None


class LinkInput(InputModel):
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


class ArticleCreate(InputModel):
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


class ArticleUpdate(InputModel):
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
