"""Story read handlers and their views: domain records to REST JSON."""

from __future__ import annotations

from typing import Any

from api.domain import stories
from api.domain.shared import SourceRecord
from api.domain.shared.records import StoryMemberRecord, StoryRecord
from api.errors import NotFound
from api.rest.core.operations import Call, Reply
from api.rest.core.params import StoryListQuery
from api.rest.core.views import article_ref_view


def _source_ref(source: SourceRecord) -> dict[str, Any]:
    return {"slug": source.slug, "name": source.name}


def story_view(story: StoryRecord) -> dict[str, Any]:
    return {
        "id": story.id,
        "size": story.size,
        "source_count": story.source_count,
        "first_published_at": story.first_published_at,
        "last_published_at": story.last_published_at,
        "updated_at": story.updated_at,
        "headline": None if story.headline is None else article_ref_view(story.headline),
        "sources": [_source_ref(source) for source in story.sources],
        "top_entities": [
            {"slug": e.slug, "name": e.name, "type": e.type, "weight": e.weight}
            for e in story.top_entities
        ],
    }


def explanation_view(stored: dict[str, Any]) -> dict[str, Any]:
    """The stored explanation in the contract's shape (absent keys as null or empty)."""
    return {
        "evidence": stored.get("evidence", "similarity"),
        "matched_article_id": stored.get("matched_article_id"),
        "text_similarity": stored.get("text_similarity"),
        "hours_apart": stored.get("hours_apart"),
        "shared_entities": [
            {"slug": e["slug"], "name": e["name"], "type": e["type"], "weight": e["weight"]}
            for e in stored.get("shared_entities") or ()
        ],
    }


def member_view(member: StoryMemberRecord) -> dict[str, Any]:
    article = member.article
    ref = {
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "url": article.url,
        "published_at": article.published_at,
        "source": _source_ref(article.source),
    }
    return {
        "article": ref,
        "score": member.score,
        "joined_at": member.joined_at,
        "explanation": explanation_view(member.explanation),
    }


async def list_stories(call: Call) -> Reply:
    query: StoryListQuery = call.query
    page = await stories.story_page(
        call.session,
        query.to_filter(),
        limit=query.limit,
        cursor=query.cursor,
        min_size=query.min_size,
    )
    return Reply({"items": [story_view(s) for s in page.items], "next_cursor": page.next_cursor})


async def get_story(call: Call) -> Reply:
    found = await stories.get_story(call.session, call.path["id"])
    if found is None:
        raise NotFound(detail=f"no story with id {call.path['id']!r}")
    story, members = found
    view = story_view(story)
    view["articles"] = [member_view(member) for member in members]
    return Reply(view, last_modified=story.updated_at)
