"""Pydantic models of the stories' REST responses (the contract's source)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from api.models.enums import EntityType
from api.rest.core.responses import ArticleRef, SourceRef, Strict


class StoryEntity(Strict):
    slug: str = Field(max_length=120)
    name: str = Field(max_length=200)
    type: EntityType
    weight: float = Field(ge=0, description="Its salience summed over the story's articles.")


class Story(Strict):
    """A story: several sources telling one event."""

    id: str = Field(max_length=36, description="Stable public id.")
    size: int = Field(ge=1, description="How many articles tell it.")
    source_count: int = Field(ge=1, description="How many distinct sources.")
    first_published_at: dt.datetime
    last_published_at: dt.datetime
    updated_at: dt.datetime = Field(description="Last time an article joined, left or changed.")
    headline: ArticleRef | None = Field(
        description="The most important article, then the earliest; null while rebuilt."
    )
    sources: list[SourceRef] = Field(description="Distinct sources, by first coverage.")
    top_entities: list[StoryEntity] = Field(description="At most 5, heaviest first.")


class StoryPage(Strict):
    items: list[Story] = Field(description="Newest updated first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class MembershipExplanation(Strict):
    """Why an article belongs to its story."""

    evidence: Literal["founder", "similarity", "editor_link"] = Field(
        description="`founder`: it started the story; `similarity`: it matched a member; "
        "`editor_link`: an editor linked it as the same story."
    )
    matched_article_id: str | None = Field(description="The member it matched best.")
    text_similarity: float | None = Field(description="Title and summary similarity, 0-1.")
    hours_apart: float | None = Field(description="Hours between it and the matched member.")
    shared_entities: list[StoryEntity] = Field(
        description="Entities shared with the matched member, heaviest first."
    )


class StoryArticle(Strict):
    article: ArticleRef
    score: float = Field(ge=0, le=1, description="How strongly it belongs (1 for the founder).")
    joined_at: dt.datetime
    explanation: MembershipExplanation


class StoryDetail(Story):
    articles: list[StoryArticle] = Field(description="Earliest published first.")
