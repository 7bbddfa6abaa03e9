"""Keeping the full-text index current: re-index the articles triggers marked stale.

Every writing transaction calls ``catch_up`` before it commits, so a committed write is
searchable at once; batching the work there tokenizes an article once however many of its
rows (the article, each mention, an entity rename) changed.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncSession

_SQLITE_JSON = "coalesce((SELECT group_concat(value, ' ') FROM json_each({})), '')"
_SQLITE_ENTITIES = (
    "coalesce((SELECT group_concat(e.name || ' ' || coalesce(e.ticker, '') || ' ' || "
    + _SQLITE_JSON.format("e.aliases")
    + ", ' ') FROM mentions m JOIN entities e ON e.id = m.entity_id "
    "WHERE m.article_id = a.id), '')"
)
# SQLite has one writer at a time, so three statements see the same pending set.
_SQLITE_CATCH_UP = (
    "DELETE FROM article_search WHERE rowid IN (SELECT article_id FROM search_pending)",
    "INSERT INTO article_search(rowid, title, summary, analysis, takeaways, entities) "
    "SELECT a.id, a.title, a.summary, "
    + _SQLITE_JSON.format("a.analysis")
    + ", "
    + _SQLITE_JSON.format("a.key_takeaways")
    + ", "
    + _SQLITE_ENTITIES
    + " FROM articles a WHERE a.id IN (SELECT article_id FROM search_pending)",
    "DELETE FROM search_pending",
)
# The advisory lock serialises catch-ups (held to commit): concurrent writers then fold
# entity counts in one at a time instead of deadlocking on shared entity rows. Each drain is
# one statement, so it indexes exactly the rows it deletes.
_POSTGRESQL_CATCH_UP = (
    "SELECT pg_advisory_xact_lock(hashtext('broadsheet.search_catch_up'))",
    "WITH drained AS (DELETE FROM entity_count_deltas RETURNING entity_id, delta), "
    "change AS (SELECT entity_id, sum(delta) AS delta FROM drained GROUP BY entity_id) "
    "UPDATE entities SET article_count = entities.article_count + change.delta "
    "FROM change WHERE entities.id = change.entity_id",
    # The compact ranking copy (migration 0006) is derived from the document just written.
    "WITH drained AS (DELETE FROM search_pending RETURNING article_id), "
    # The document's key lexemes (migration 0007) have no positions: ts_filter, and so
    # the copy, leaves them out.
    "indexed AS (INSERT INTO article_search(article_id, document) "
    "SELECT a.id, article_search_document(a.id) "
    "|| article_search_keys(a.id, a.category_id, a.source_id) FROM articles a "
    "WHERE a.id IN (SELECT article_id FROM drained) "
    "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document "
    "RETURNING article_id, document) "
    "INSERT INTO article_search_rank"
    "(article_id, published_at, category_id, source_id, document) "
    "SELECT i.article_id, a.published_at, a.category_id, a.source_id, "
    "article_search_rank_document(i.document) "
    "FROM indexed i JOIN articles a ON a.id = i.article_id "
    "ON CONFLICT (article_id) DO UPDATE SET published_at = EXCLUDED.published_at, "
    "category_id = EXCLUDED.category_id, source_id = EXCLUDED.source_id, "
    "document = EXCLUDED.document",
)


def catch_up_statements(dialect_name: str) -> tuple[str, ...]:
    return _SQLITE_CATCH_UP if dialect_name == "sqlite" else _POSTGRESQL_CATCH_UP


async def catch_up(session: AsyncSession) -> None:
    """Re-index every article marked stale; call in the writing transaction, before commit."""
    for statement in catch_up_statements(session.get_bind().dialect.name):
        await session.execute(text(statement))


def catch_up_sync(connection: Connection) -> None:
    """``catch_up`` for the synchronous bulk loaders (the demo writer)."""
    for statement in catch_up_statements(connection.dialect.name):
        connection.execute(text(statement))


# The full-text indexes of the search tables: one row's GIN entries cost far more inserted
# one document at a time than built in one sorted pass over all of them.
_GIN_INDEXES = (
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
    "AND tablename IN ('article_search', 'article_search_rank') "
    "AND indexdef LIKE '% USING gin %'"
)


def catch_up_bulk_sync(connection: Connection) -> None:
    """``catch_up_sync`` after a bulk load (the demo writer), in the caller's transaction.

    On PostgreSQL the GIN indexes are set aside while every pending document is written,
    then built again: for a large load several times faster than maintaining them row by
    row. If the transaction fails, the indexes come back with its rollback.
    """
    if connection.dialect.name != "postgresql":
        catch_up_sync(connection)
        return
    indexes = connection.execute(text(_GIN_INDEXES)).all()
    for name, _ in indexes:
        connection.execute(text(f'DROP INDEX "{name}"'))
    catch_up_sync(connection)
    # A GIN build sorts its entries in this much memory before spilling (default 64 MB).
    connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _, definition in indexes:
        connection.execute(text(definition))
