"""An article's story as JSON written by the database (``{id, size, first_published_at,
sources}``, or null for a story of one), for the documents built in SQL: the article page
(``articles.documents``) and feed items (``feed.assembled``)."""

from __future__ import annotations

from api.domain.shared import json_sql


def stored_sources(dialect: str, story: str) -> str:
    """The sources of story ``story`` (a SQL row name) as JSON: the list the write path keeps
    on the story (``aggregates.sources_json``), so a feed item reads one column instead of
    grouping the story's members by source."""
    column = f"{story}.sources"
    # Stored as text: SQLite's json() marks it JSON inside json_object (which would embed it
    # as a string), PostgreSQL's json keeps its text (jsonb would reorder the keys).
    return json_sql.stored(dialect, column) if dialect == json_sql.SQLITE else f"{column}::json"


def article_story(dialect: str, article: str = "articles") -> str:
    """SQL for the story of ``article`` (a SQL row name) as JSON; NULL for none or one."""
    body = json_sql.obj(
        dialect,
        {
            "id": "st.public_id",
            "size": "st.size",
            "first_published_at": json_sql.time(dialect, "st.first_published_at"),
            "sources": stored_sources(dialect, "st"),
        },
    )
    found = (
        f"(SELECT {body} FROM story_members AS sm JOIN stories AS st "  # noqa: S608 (ours)
        f"ON st.id = sm.story_id WHERE sm.article_id = {article}.id AND st.size > 1)"
    )
    return json_sql.nested(dialect, found)
