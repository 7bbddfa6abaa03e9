"""The feed: the filtered, ordered and keyset-paged article list."""

from api.domain.feed.documents import article_page_documents
from api.domain.feed.query import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    article_cursor,
    article_page,
    count_articles,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "article_cursor",
    "article_page",
    "article_page_documents",
    "count_articles",
]
