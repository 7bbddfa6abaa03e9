"""PostgreSQL's search rows carry their article's publication time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 01:20:00

Why: a search page scores every match of its block (up to a thousand) by relevance times
recency. The relevance comes from ``article_search`` and, until now, the recency from a
lookup of each match's article row; on 100k articles those lookups were 1-5 ms of a page.
With the time beside the document, the block is scored from the rows it reads anyway.

The article trigger now also fires on ``published_at``, so catch-up rewrites the copy
with the document. SQLite is unchanged: its FTS5 page meets its target as it is.

The backfill rewrites every search row once (14 s on 100k articles); autovacuum reclaims
the old versions, or run ``VACUUM article_search`` after upgrading a large database.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGER = """
DROP TRIGGER trg_articles_search ON articles;
CREATE TRIGGER trg_articles_search
AFTER INSERT OR UPDATE OF title, summary, analysis, key_takeaways{extra} ON articles
FOR EACH ROW EXECUTE FUNCTION articles_search_stale();
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE article_search ADD COLUMN published_at timestamptz")
    op.execute(
        "UPDATE article_search SET published_at = articles.published_at "
        "FROM articles WHERE articles.id = article_search.article_id"
    )
    op.execute("ALTER TABLE article_search ALTER COLUMN published_at SET NOT NULL")
    op.execute(_TRIGGER.format(extra=", published_at"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_TRIGGER.format(extra=""))
    op.execute("ALTER TABLE article_search DROP COLUMN published_at")
