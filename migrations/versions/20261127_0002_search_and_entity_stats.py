"""Full-text search and entity document frequencies, kept current by triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 06:20:00

Why triggers: every writer (ingest, the bulk demo loader, future write routes, an operator's
SQL) keeps the counts and the index current without having to remember to.

- ``entities.article_count``: how many articles mention the entity (its document frequency,
  the "rarity" in related-article scoring). SQLite's triggers add and subtract one per
  mention row; PostgreSQL's append to ``entity_count_deltas``, which catch-up folds in.
- ``search_pending``: triggers on articles, mentions and entities record which articles'
  search documents are stale. ``api.domain.search.index.catch_up`` re-indexes them in bulk
  before the writing transaction commits: an article with five mentions is tokenized once,
  not six times.
- SQLite: ``article_search``, an FTS5 table keyed by ``articles.id`` holding title, summary,
  analysis, takeaways and the names/aliases/tickers of the mentioned entities.
- PostgreSQL: ``article_search(article_id, document tsvector)`` with a GIN index; weights
  A title, B entities and summary, C takeaways, D analysis.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.add_column(
            sa.Column("article_count", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE entities SET article_count = "
        "(SELECT count(*) FROM mentions WHERE mentions.entity_id = entities.id)"
    )
    op.create_table(
        "search_pending",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_search_pending")),
    )
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS article_search")
    else:
        for table, trigger in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        op.execute("DROP TABLE IF EXISTS article_search")
        op.execute("DROP TABLE IF EXISTS entity_count_deltas")
        for function in _PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_table("search_pending")
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("article_count")


# --- SQLite ---------------------------------------------------------------------------------

_SQLITE_TRIGGERS = (
    "trg_articles_search_insert",
    "trg_articles_search_update",
    "trg_articles_search_delete",
    "trg_mentions_insert",
    "trg_mentions_delete",
    "trg_mentions_update",
    "trg_entities_search_update",
)


def _sqlite_json_text(column: str) -> str:
    return f"coalesce((SELECT group_concat(value, ' ') FROM json_each({column})), '')"


def _sqlite_entity_text(article_id: str) -> str:
    aliases = _sqlite_json_text("e.aliases")
    return (
        "coalesce((SELECT group_concat(e.name || ' ' || coalesce(e.ticker, '') || ' ' || "
        f"{aliases}, ' ') FROM mentions m JOIN entities e ON e.id = m.entity_id "
        f"WHERE m.article_id = {article_id}), '')"
    )


def _sqlite_stale(article_id: str) -> str:
    return f"INSERT OR IGNORE INTO search_pending(article_id) VALUES ({article_id});"


def _sqlite_count(entity_id: str, delta: str) -> str:
    return f"UPDATE entities SET article_count = article_count {delta} 1 WHERE id = {entity_id};"


def _upgrade_sqlite() -> None:
    # porter stems English words; remove_diacritics 2 lets "Zurich" find "Zürich".
    op.execute(
        "CREATE VIRTUAL TABLE article_search USING fts5("
        "title, summary, analysis, takeaways, entities, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "INSERT INTO article_search(rowid, title, summary, analysis, takeaways, entities) "
        f"SELECT a.id, a.title, a.summary, {_sqlite_json_text('a.analysis')}, "
        f"{_sqlite_json_text('a.key_takeaways')}, {_sqlite_entity_text('a.id')} FROM articles a"
    )
    triggers = {
        "trg_articles_search_insert": ("AFTER INSERT ON articles", _sqlite_stale("new.id")),
        "trg_articles_search_update": (
            "AFTER UPDATE OF title, summary, analysis, key_takeaways ON articles",
            _sqlite_stale("new.id"),
        ),
        # A delete is cheap to apply at once, and nothing may find a deleted article.
        "trg_articles_search_delete": (
            "AFTER DELETE ON articles",
            "DELETE FROM article_search WHERE rowid = old.id; "
            "DELETE FROM search_pending WHERE article_id = old.id;",
        ),
        "trg_mentions_insert": (
            "AFTER INSERT ON mentions",
            _sqlite_count("new.entity_id", "+") + _sqlite_stale("new.article_id"),
        ),
        "trg_mentions_delete": (
            "AFTER DELETE ON mentions",
            _sqlite_count("old.entity_id", "-") + _sqlite_stale("old.article_id"),
        ),
        "trg_mentions_update": (
            "AFTER UPDATE OF article_id, entity_id ON mentions",
            _sqlite_count("old.entity_id", "-")
            + _sqlite_count("new.entity_id", "+")
            + _sqlite_stale("old.article_id")
            + _sqlite_stale("new.article_id"),
        ),
        "trg_entities_search_update": (
            "AFTER UPDATE OF name, aliases, ticker ON entities",
            "INSERT OR IGNORE INTO search_pending(article_id) "
            "SELECT article_id FROM mentions WHERE entity_id = new.id;",
        ),
    }
    assert set(triggers) == set(_SQLITE_TRIGGERS)
    for name, (event, body) in triggers.items():
        op.execute(f"CREATE TRIGGER {name} {event} BEGIN {body} END")


# --- PostgreSQL -----------------------------------------------------------------------------

_PG_TRIGGERS = (
    ("articles", "trg_articles_search"),
    ("mentions", "trg_mentions_counts_search"),
    ("entities", "trg_entities_search"),
)
_PG_FUNCTIONS = (
    "articles_search_stale()",
    "mentions_counts_search()",
    "entities_search_stale()",
    "article_search_document(integer)",
)

# The whole document of one article; ``search_index.catch_up`` calls it for stale articles.
_PG_DOCUMENT = """
CREATE FUNCTION article_search_document(target integer) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT coalesce((
    SELECT setweight(to_tsvector('english', a.title), 'A')
        || setweight(to_tsvector('english', coalesce((
             SELECT string_agg(e.name || ' ' || coalesce(e.ticker, '') || ' ' || coalesce(
                      (SELECT string_agg(alias, ' ')
                       FROM jsonb_array_elements_text(e.aliases) AS alias), ''), ' ')
             FROM mentions m JOIN entities e ON e.id = m.entity_id
             WHERE m.article_id = a.id), '')), 'B')
        || setweight(to_tsvector('english', a.summary), 'B')
        || setweight(to_tsvector('english', coalesce(
             (SELECT string_agg(t, ' ') FROM jsonb_array_elements_text(a.key_takeaways) t),
             '')), 'C')
        || setweight(to_tsvector('english', coalesce(
             (SELECT string_agg(p, ' ') FROM jsonb_array_elements_text(a.analysis) p),
             '')), 'D')
    FROM articles a WHERE a.id = target), ''::tsvector)
$$
"""

_PG_ARTICLE_TRIGGER = """
CREATE FUNCTION articles_search_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_pending(article_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER trg_articles_search
AFTER INSERT OR UPDATE OF title, summary, analysis, key_takeaways ON articles
FOR EACH ROW EXECUTE FUNCTION articles_search_stale();
"""

# Deleted articles leave the index through the foreign key's cascade. Counts go through
# an append-only delta table: updating a popular entity's row once per mention slowed
# bulk loads, and concurrent writers would deadlock on those rows.
_PG_MENTION_TRIGGER = """
CREATE FUNCTION mentions_counts_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO entity_count_deltas(entity_id, delta) VALUES (OLD.entity_id, -1);
    INSERT INTO search_pending(article_id) VALUES (OLD.article_id) ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO entity_count_deltas(entity_id, delta) VALUES (NEW.entity_id, 1);
    INSERT INTO search_pending(article_id) VALUES (NEW.article_id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER trg_mentions_counts_search
AFTER INSERT OR DELETE OR UPDATE OF article_id, entity_id ON mentions
FOR EACH ROW EXECUTE FUNCTION mentions_counts_search();
"""

_PG_ENTITY_TRIGGER = """
CREATE FUNCTION entities_search_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_pending(article_id)
  SELECT article_id FROM mentions WHERE entity_id = NEW.id ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER trg_entities_search
AFTER UPDATE OF name, aliases, ticker ON entities
FOR EACH ROW EXECUTE FUNCTION entities_search_stale();
"""


def _upgrade_postgresql() -> None:
    op.execute(
        "CREATE TABLE entity_count_deltas (entity_id integer NOT NULL, delta integer NOT NULL)"
    )
    op.execute(
        "CREATE TABLE article_search ("
        "article_id integer PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, "
        "document tsvector NOT NULL)"
    )
    op.execute(_PG_DOCUMENT)
    op.execute(
        "INSERT INTO article_search(article_id, document) "
        "SELECT id, article_search_document(id) FROM articles"
    )
    # Built after the backfill: one bulk GIN build instead of row-by-row inserts.
    op.execute("CREATE INDEX ix_article_search_document ON article_search USING gin (document)")
    op.execute(_PG_ARTICLE_TRIGGER)
    op.execute(_PG_MENTION_TRIGGER)
    op.execute(_PG_ENTITY_TRIGGER)
