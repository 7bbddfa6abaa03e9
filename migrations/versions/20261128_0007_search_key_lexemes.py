"""PostgreSQL's search documents carry key lexemes: the id's segment, category, source.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 04:10:00

Why: the GIN index finds every match of a query in the corpus, and a page wants only the
newest thousand of them (a block). For a query in many documents, the bitmap visited
every match's heap page to sort their ids. A filtered query also joined every match to its article to
test the filter.

Each document now also holds positionless lexemes that no query text can produce (they
contain a space, which the parser splits on): ``segment N`` for ``article_id / 4096``,
``category N`` and ``source N``. The GIN index then intersects them with the words: a
page looks for its block one segment at a time, newest first, and tests a category or
source inside the index. ``ts_filter`` keeps only lexemes with positions, so the compact
copies that rank (0006) stay as they were.

Catch-up writes the keys with the document (``api.domain.search.index``); the article
trigger already fires on ``category_id`` and ``source_id`` (0006). SQLite is unchanged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# search_blocks.SEGMENT_SIZE must match: queries name the segments this writes.
_KEYS = """
CREATE FUNCTION article_search_keys(article_id integer, category_id integer, source_id integer)
RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
  SELECT array_to_tsvector(array_remove(ARRAY[
    'segment ' || (article_id / 4096),
    'category ' || category_id,
    'source ' || source_id], NULL))
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_KEYS)
    op.execute(
        "UPDATE article_search s "
        "SET document = s.document || article_search_keys(a.id, a.category_id, a.source_id) "
        "FROM articles a WHERE a.id = s.article_id"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The documents without their keys, as 0006 wrote them.
    op.execute("UPDATE article_search SET document = article_search_document(article_id)")
    op.execute("DROP FUNCTION article_search_keys(integer, integer, integer)")
