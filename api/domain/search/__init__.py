"""Full-text search over articles on SQLite (FTS5) and PostgreSQL (tsvector)."""

from api.domain.search.index import catch_up_sync
from api.domain.search.query import MAX_QUERY_LENGTH
from api.domain.search.service import search_page

__all__ = ["MAX_QUERY_LENGTH", "catch_up_sync", "search_page"]
