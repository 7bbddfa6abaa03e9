"""PostgreSQL indexes the adjacent word pairs of each search document, for phrases.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 06:40:00

Why: GIN stores no positions, so a phrase is found as its words, and each document holding
them is read to check their order. For two words that are common but seldom adjacent, that
is every document of both: "Securities review" (no match) read thousands of documents,
and a page of such a phrase rarely filled early.

``article_search_pairs(document)`` holds one positionless lexeme ``a <-> b`` for each two
lexemes at adjacent positions of the document, so the phrase ``a <-> b`` matches exactly
when ``'a <-> b'`` is a pair (PostgreSQL checks the same stored positions). A GIN index over
that expression answers it: nothing is stored in the table, and a query names the pairs
``article_search_phrase_pairs(phrase)`` derives from the phrase with the same parser. Such
lexemes hold a space, which the parser always splits on, so no query text matches one.
The document's key lexemes (0007) come along, so that the index finds a common phrase a
segment of ids at a time, and tests a category or source, as the documents' index does.

The pairs function is marked costly so that the planner reads it from its index and never
evaluates it row by row. The index slows PostgreSQL's bulk ingest, mostly in GIN inserts.
SQLite's FTS5 reads positions from its own doclists and is unchanged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A lexeme is at most 2,047 bytes; longer pairs are left out on both sides alike.
_PAIRS = """
CREATE FUNCTION article_search_pairs(document tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 10000 AS $$
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || ' <-> ' || b.lexeme)),
                  ''::tsvector)
      || coalesce(array_to_tsvector(ARRAY(
           SELECT lexeme FROM unnest(document) WHERE positions IS NULL)), ''::tsvector)
  FROM (SELECT lexeme, unnest(positions) AS pos FROM unnest(document)) AS a
  JOIN (SELECT lexeme, unnest(positions) AS pos FROM unnest(document)) AS b
    ON b.pos = a.pos + 1
  WHERE octet_length(a.lexeme) + octet_length(b.lexeme) < 2000
$$
"""
# The pairs a phrase needs, as a tsquery; NULL when it has none (one word, or words
# apart). Quotes and backslashes are escaped as tsquery input wants them.
_PHRASE_PAIRS = r"""
CREATE FUNCTION article_search_phrase_pairs(phrase text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT string_agg('''' || replace(replace(pair, '\', '\\'), '''', '''''') || '''', ' & ')
         ::tsquery
  FROM unnest(tsvector_to_array(article_search_pairs(to_tsvector('english', phrase))))
       AS pair
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_PAIRS)
    op.execute(_PHRASE_PAIRS)
    op.execute(
        "CREATE INDEX ix_article_search_pairs ON article_search "
        "USING gin (article_search_pairs(document))"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_article_search_pairs")
    op.execute("DROP FUNCTION article_search_phrase_pairs(text)")
    op.execute("DROP FUNCTION article_search_pairs(tsvector)")
