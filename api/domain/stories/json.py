"""An article's story as JSON written by the database (``{id, size, first_published_at,
sources}``, or null for a story of one), for the documents built in SQL: the article page
(``articles.documents``) and feed items (``feed.assembled``)."""

from __future__ import annotations

from api.domain.shared import json_sql


def story_sources(dialect: str, story: str) -> str:
    """The distinct sources of story ``story`` (a SQL row name) as ``[{slug, name}]``, by
    their first coverage, then slug: the order ``reads.story_sources`` gives."""
    return json_sql.array(
        dialect,
        {"slug": "ss.slug", "name": "ss.name"},
        "FROM story_members AS sm2 JOIN articles AS sa ON sa.id = sm2.article_id "
        f"JOIN sources AS ss ON ss.id = sa.source_id WHERE sm2.story_id = {story}.id "
        "GROUP BY ss.id, ss.slug, ss.name",
        "min(sa.published_at), ss.slug",
        json_valued=set(),
    )


def article_story(dialect: str, article: str = "articles") -> str:
    """SQL for the story of ``article`` (a SQL row name) as JSON; NULL for none or one."""
    body = json_sql.obj(
        dialect,
        {
            "id": "st.public_id",
            "size": "st.size",
            "first_published_at": json_sql.time(dialect, "st.first_published_at"),
            "sources": story_sources(dialect, "st"),
        },
    )
    found = (
        f"(SELECT {body} FROM story_members AS sm JOIN stories AS st "  # noqa: S608 (ours)
        f"ON st.id = sm.story_id WHERE sm.article_id = {article}.id AND st.size > 1)"
    )
    return json_sql.nested(dialect, found)
