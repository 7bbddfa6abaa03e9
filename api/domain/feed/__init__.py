"""The feed: the filtered, ordered and keyset-paged article list, as records, as REST
documents, or as JSON of a caller's shape."""

from api.domain.feed.documents import article_page_documents
from api.domain.feed.query import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    article_cursor,
    article_page,
    count_articles,
)
from api.domain.feed.shaped import ShapedPage, ShapeSet, shaped_article, shaped_page
from api.domain.feed.shapes import Column, Constant, GlobalId, Nested, Shape

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Column",
    "Constant",
    "GlobalId",
    "Nested",
    "Shape",
    "ShapeSet",
    "ShapedPage",
    "article_cursor",
    "article_page",
    "article_page_documents",
    "count_articles",
    "shaped_article",
    "shaped_page",
]
