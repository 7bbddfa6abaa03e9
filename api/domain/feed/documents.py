"""Feed pages whose items the database writes as JSON: one statement, no rows to objects.

The feed is the hottest read. Building each item in Python (rows to records to dicts to
JSON) cost several times the query itself, so here each row is one JSON text written by
the database (``api.domain.shared.json_sql``), mentions included through a correlated subquery.
The shape is the REST feed item's (``api.rest.core.views.feed_item_view``); a test holds the
two to the same JSON for generated filters, orders, cursors, scopes and fields.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    literal_column,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import fetch_rows
from api.domain.feed.query import article_cursor_key, cursor_params, document_page
from api.domain.shared import json_sql
from api.domain.shared.filters import ArticleFilter, ArticleOrder
from api.models.base import UtcDateTime

# Every field a feed item may carry, in the order items write them ("id" always first).
FEED_ITEM_FIELDS = (
    "slug", "title", "url", "source", "author", "published_at", "updated_at", "image_url",
    "image_credit", "category", "sentiment", "sentiment_score", "importance", "summary",
    "language", "version", "entities", "analysis", "key_takeaways",
)  # fmt: skip
_KNOWN_FIELDS = frozenset((*FEED_ITEM_FIELDS, "id"))
_PUBLISHED_AT = UtcDateTime()


def _field_sql(dialect: str, name: str) -> str:
    match name:
        case "source":
            return json_sql.source(dialect)
        case "category":
            return json_sql.category(dialect)
        case "published_at" | "updated_at":
            return json_sql.time(dialect, f"articles.{name}")
        case "sentiment_score":
            return json_sql.number(dialect, "articles.sentiment_score")
        case "entities":
            return json_sql.mentions(dialect)
        case "analysis" | "key_takeaways":
            return json_sql.stored(dialect, f"articles.{name}")
        case _:
            return f"articles.{name}"


# Bounded: a client may ask for any subset of fields.
@functools.lru_cache(maxsize=256)
def _document(dialect_name: str, fields: frozenset[str]) -> ColumnElement[str]:
    pairs = {"id": "articles.public_id"}
    pairs |= {name: _field_sql(dialect_name, name) for name in FEED_ITEM_FIELDS if name in fields}
    return literal_column(json_sql.as_text(dialect_name, json_sql.obj(dialect_name, pairs)), String)


@dataclass(frozen=True, slots=True)
class DocumentPage:
    """A feed page as JSON: ``items`` is the array's text, in feed order."""

    items: bytes
    next_cursor: str | None


@functools.lru_cache(maxsize=128)
def _statement(
    dialect_name: str,
    fields: frozenset[str],
    order: ArticleOrder,
    limit: int,
    article_filter: ArticleFilter,
    after: bool,
) -> Select[Any]:
    # Statements are built once per shape: building one cost about as much as running it.
    # A cursor's values are bound at execution, so pages share a statement.
    return document_page(
        [_document(dialect_name, fields)], article_filter, order, limit, after=after
    )


async def article_page_documents(
    session: AsyncSession,
    article_filter: ArticleFilter,
    *,
    fields: Iterable[str],
    order: ArticleOrder = ArticleOrder.NEWEST,
    limit: int = 20,
    cursor: str | None = None,
    scope: ColumnElement[bool] | None = None,
) -> DocumentPage:
    """The page ``feed.article_page`` returns, with items already written as JSON.

    ``scope`` narrows the feed further (an entity's or a source's articles).
    """
    field_set = frozenset(fields)
    if not field_set <= _KNOWN_FIELDS:
        raise ValueError(f"unknown feed fields: {sorted(field_set - _KNOWN_FIELDS)}")
    params = cursor_params(order, cursor)
    dialect = session.get_bind().dialect
    stmt = _statement(dialect.name, field_set, order, limit, article_filter, bool(params))
    if scope is not None:
        stmt = stmt.where(scope)
    rows = await fetch_rows(session, stmt, params)
    next_cursor = None
    if len(rows) > limit:
        key = list(rows[limit - 1][1:])
        key[-2] = _PUBLISHED_AT.process_result_value(key[-2], dialect)
        next_cursor = article_cursor_key(order, key)
    items = b"[" + ",".join(row[0] for row in rows[:limit]).encode() + b"]"
    return DocumentPage(items=items, next_cursor=next_cursor)
