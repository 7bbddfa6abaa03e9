"""Stories carry their sources: the JSON an article's story shows, stored on the story.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 09:00:00

Feed items and article pages grouped every story's members by source on each read; the
list ``[{"slug", "name"}]`` (by first coverage, then slug) is now kept on ``stories.sources``
by the write path. Stored stories are filled in here, a range of story ids at a time, as
``api.domain.stories.aggregates.sources_json`` writes the list (the same text on both
databases). Added in place on both databases: a batch rebuild of ``stories`` on SQLite would
cascade to the members.
"""

from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STORIES_PER_STEP = 5_000
# Each story's sources with their first coverage; ordered below as the write path orders them.
_SOURCES = sa.text(
    "SELECT sm.story_id, min(a.published_at), s.slug, s.name FROM story_members AS sm "
    "JOIN articles AS a ON a.id = sm.article_id JOIN sources AS s ON s.id = a.source_id "
    "WHERE sm.story_id > :after AND sm.story_id <= :until "
    "GROUP BY sm.story_id, s.id, s.slug, s.name"
)
_WRITE = sa.text("UPDATE stories SET sources = :sources WHERE id = :id")


def _json(sources: list[tuple[Any, str, str]]) -> str:
    ordered = sorted(sources, key=lambda s: (s[0], s[1]))
    return orjson.dumps([{"slug": slug, "name": name} for _, slug, name in ordered]).decode()


def upgrade() -> None:
    op.add_column(
        "stories", sa.Column("sources", sa.Text(), server_default=sa.text("'[]'"), nullable=False)
    )
    connection = op.get_bind()
    last = connection.execute(sa.text("SELECT max(id) FROM stories")).scalar() or 0
    for after in range(0, last, STORIES_PER_STEP):
        found: dict[int, list[tuple[Any, str, str]]] = {}
        params = {"after": after, "until": after + STORIES_PER_STEP}
        for story_id, first, slug, name in connection.execute(_SOURCES, params):
            found.setdefault(story_id, []).append((first, slug, name))
        if found:
            connection.execute(
                _WRITE, [{"id": k, "sources": _json(v)} for k, v in sorted(found.items())]
            )


def downgrade() -> None:
    op.drop_column("stories", "sources")
