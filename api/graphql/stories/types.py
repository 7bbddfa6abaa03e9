"""The Story type and its parts: entities with weights, articles with why they belong.

The value behind ``Story`` is a ``StoryRecord``; its articles come from
``MembersByStoryLoader`` and its headline from ``ArticleByIdLoader``, so a page of stories
costs one statement per field, whatever its size.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.domain.shared import ArticleRecord, MentionRecord, SourceRecord
from api.domain.shared.records import StoryMemberRecord, StoryRecord
from api.graphql.core.context import Info
from api.graphql.core.ids import Node, ResolveInfo, to_global_id

if TYPE_CHECKING:
    from api.graphql.articles.types import Article
    from api.graphql.catalog.types import Entity, Source

LazyArticle = Annotated["Article", strawberry.lazy("api.graphql.articles.types")]
LazyEntity = Annotated["Entity", strawberry.lazy("api.graphql.catalog.types")]
LazySource = Annotated["Source", strawberry.lazy("api.graphql.catalog.types")]


@strawberry.enum(description="What made an article a member of its story.")
class StoryEvidence(enum.StrEnum):
    FOUNDER = "founder"
    SIMILARITY = "similarity"
    EDITOR_LINK = "editor_link"


@dataclass(slots=True)
class StoryEntityRow:
    # A mention-shaped record: Entity resolves the rest through its batched loader.
    entity: MentionRecord
    weight: float


def _entity_row(slug: str, name: str, type_: str, weight: float) -> StoryEntityRow:
    return StoryEntityRow(MentionRecord(slug, name, type_, 0.0, None), weight)


def _story_entity(root: strawberry.Parent[StoryEntityRow]) -> MentionRecord:
    return root.entity


@strawberry.type(description="An entity a story's articles mention, and how much.")
class StoryEntity:
    entity = strawberry.field(resolver=_story_entity, graphql_type=LazyEntity)
    weight: float = strawberry.field(description="Its salience summed over the articles.")


def _shared_entities(root: strawberry.Parent[dict[str, Any]]) -> list[StoryEntityRow]:
    return [
        _entity_row(e["slug"], e["name"], e["type"], e["weight"])
        for e in root.get("shared_entities") or ()
    ]


def _evidence(root: strawberry.Parent[dict[str, Any]]) -> StoryEvidence:
    return StoryEvidence(root.get("evidence", "similarity"))


def _matched(root: strawberry.Parent[dict[str, Any]]) -> str | None:
    matched: str | None = root.get("matched_article_id")
    return matched


def _similarity(root: strawberry.Parent[dict[str, Any]]) -> float | None:
    value: float | None = root.get("text_similarity")
    return value


def _hours(root: strawberry.Parent[dict[str, Any]]) -> float | None:
    value: float | None = root.get("hours_apart")
    return value


@strawberry.type(description="Why an article belongs to its story.")
class StoryExplanation:
    evidence: StoryEvidence = strawberry.field(resolver=_evidence)
    matched_article_id: str | None = strawberry.field(
        resolver=_matched, description="The public id of the member it matched best."
    )
    text_similarity: float | None = strawberry.field(
        resolver=_similarity, description="Title and summary similarity, 0-1."
    )
    hours_apart: float | None = strawberry.field(
        resolver=_hours, description="Hours between it and the matched member."
    )
    shared_entities = strawberry.field(
        resolver=_shared_entities,
        graphql_type=list[StoryEntity],
        description="Entities shared with the matched member, heaviest first.",
    )


def _member_article(root: strawberry.Parent[StoryMemberRecord]) -> ArticleRecord:
    return root.article


def _member_explanation(root: strawberry.Parent[StoryMemberRecord]) -> dict[str, Any]:
    return root.explanation


@strawberry.type(description="An article of a story, scored and explained.")
class StoryArticle:
    article = strawberry.field(resolver=_member_article, graphql_type=LazyArticle)
    score: float = strawberry.field(description="How strongly it belongs, 0-1 (1: founder).")
    joined_at: dt.datetime
    explanation = strawberry.field(resolver=_member_explanation, graphql_type=StoryExplanation)


def _story_id(root: strawberry.Parent[StoryRecord]) -> strawberry.ID:
    return strawberry.ID(to_global_id("Story", root.id))


def _public_id(root: strawberry.Parent[StoryRecord]) -> str:
    return root.id


async def _headline(root: strawberry.Parent[StoryRecord], info: Info) -> ArticleRecord | None:
    if root.headline is None:
        return None
    return await info.context.loaders.article_by_id.load(root.headline.id)


def _sources(root: strawberry.Parent[StoryRecord]) -> list[SourceRecord]:
    return root.sources


def _top_entities(root: strawberry.Parent[StoryRecord]) -> list[StoryEntityRow]:
    return [_entity_row(e.slug, e.name, e.type, e.weight) for e in root.top_entities]


async def _articles(root: strawberry.Parent[StoryRecord], info: Info) -> list[StoryMemberRecord]:
    return await info.context.loaders.members_by_story.load(root.pk)


@strawberry.type(description="One event told by several sources: their articles, grouped.")
class Story(Node):
    id: strawberry.ID = strawberry.field(
        resolver=_story_id, description="Global id (`node(id:)`); the key is `storyId`."
    )
    story_id: str = strawberry.field(resolver=_public_id, description="The public id, as REST's.")
    size: int = strawberry.field(description="How many articles tell it.")
    source_count: int = strawberry.field(description="How many distinct sources.")
    first_published_at: dt.datetime
    last_published_at: dt.datetime
    updated_at: dt.datetime = strawberry.field(
        description="Last time an article joined, left or changed."
    )
    headline = strawberry.field(
        resolver=_headline,
        graphql_type=LazyArticle | None,
        description="The most important article, then the earliest; null while rebuilt.",
    )
    sources = strawberry.field(
        resolver=_sources,
        graphql_type=list[LazySource],
        description="Distinct sources, by first coverage.",
    )
    top_entities = strawberry.field(
        resolver=_top_entities,
        graphql_type=list[StoryEntity],
        description="At most 5, heaviest first.",
    )
    articles = strawberry.field(
        resolver=_articles,
        graphql_type=list[StoryArticle],
        description="Its articles, earliest published first, each with why it belongs.",
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: ResolveInfo) -> bool:
        return isinstance(obj, StoryRecord)
