"""The full-text index lives beside the ORM, not in it.

SQLite keeps an FTS5 table, PostgreSQL a table of weighted ``tsvector`` documents with a GIN
index and ``article_search_rank``, compact copies to rank by (migration 0006); its documents
also hold key lexemes for segment, category and source (0007), and a GIN index over an
expression holds their adjacent word pairs, for phrases (0008). Migration
0002 creates the indexes with triggers that mark articles stale in ``search_pending``;
``api.domain.search.index.catch_up`` re-indexes those before commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base

SEARCH_TABLE = "article_search"


class SearchPending(Base):
    """Articles whose search document is stale: written by triggers, drained by catch_up."""

    __tablename__ = "search_pending"

    # No foreign key: a deleted article's id must still be able to sit here.
    article_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


def include_in_autogenerate(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Keep autogenerate from proposing to drop the search tables (and FTS5 shadow tables)."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return not (
        isinstance(table, str)
        and (table.startswith(SEARCH_TABLE) or table == "entity_count_deltas")
    )
