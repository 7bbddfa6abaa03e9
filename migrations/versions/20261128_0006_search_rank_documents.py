"""PostgreSQL ranks search matches from compact copies of the documents.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 01:20:00

Why: a search page scores the newest thousand matches of its block by relevance times
recency. It read each match's whole document (mostly stored out of line: several page
reads each) and each match's article row for its publication time.

``article_search_rank`` holds, per article, that time and a compact document: the title,
entity, summary and takeaway lexemes with their positions and weights, and the
analysis's lexemes without positions (each then counts as one occurrence of weight D).
Small enough to be stored inline: a match is scored from one row. Matching still uses the
whole document in ``article_search``; phrases are checked against it.

The copies also carry the category and source, indexed with the id: a query common
enough to be looked for among the newest documents (``search_blocks.recent_ids``) walks
the newest copies of one category or source instead of sorting all of its articles'
ids and looking up each copy.

Catch-up writes both tables in one statement. The article trigger now also fires on
``published_at``, ``category_id`` and ``source_id``, so the copies follow the article.
SQLite is unchanged: its FTS5 page meets its target as it is.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RANK_DOCUMENT = """
CREATE FUNCTION article_search_rank_document(document tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
  SELECT ts_filter(document, '{a,b,c}') || strip(ts_filter(document, '{d}'))
$$
"""

_TRIGGER = """
DROP TRIGGER trg_articles_search ON articles;
CREATE TRIGGER trg_articles_search
AFTER INSERT OR UPDATE OF title, summary, analysis, key_takeaways{extra} ON articles
FOR EACH ROW EXECUTE FUNCTION articles_search_stale();
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_RANK_DOCUMENT)
    op.execute(
        "CREATE TABLE article_search_rank ("
        "article_id integer PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, "
        "published_at timestamptz NOT NULL, "
        "category_id integer, "
        "source_id integer NOT NULL, "
        "document tsvector NOT NULL)"
    )
    op.execute(
        "INSERT INTO article_search_rank"
        "(article_id, published_at, category_id, source_id, document) "
        "SELECT s.article_id, a.published_at, a.category_id, a.source_id, "
        "article_search_rank_document(s.document) "
        "FROM article_search s JOIN articles a ON a.id = s.article_id ORDER BY s.article_id"
    )
    for column in ("category_id", "source_id"):
        op.execute(
            f"CREATE INDEX ix_article_search_rank_{column}_article_id "
            f"ON article_search_rank ({column}, article_id)"
        )
    op.execute(_TRIGGER.format(extra=", published_at, category_id, source_id"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_TRIGGER.format(extra=""))
    op.execute("DROP TABLE article_search_rank")
    op.execute("DROP FUNCTION article_search_rank_document(tsvector)")
