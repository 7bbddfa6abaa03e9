"""Articles: their inputs, reads, the article page document, writes, batches and ingest."""

from api.domain.articles.batch import ItemResult, upsert_batch
from api.domain.articles.documents import article_document
from api.domain.articles.inputs import ArticleCreate, ArticleUpdate, error_path, ingest_json_schema
from api.domain.articles.lookups import (
    article_by_slug,
    articles_by_public_id,
)
from api.domain.articles.references import IngestItemError
from api.domain.articles.upsert import upsert_articles
from api.domain.articles.writes import (
    change_article,
    create_article,
    delete_article,
    raise_if_deleted,
    tombstone_for,
)
from api.domain.shared.article_rows import (
    bodies_by_article,
    find_article,
    get_article,
    links_by_article,
    mentions_by_article,
)

__all__ = [
    "ArticleCreate",
    "ArticleUpdate",
    "IngestItemError",
    "ItemResult",
    "article_by_slug",
    "article_document",
    "articles_by_public_id",
    "bodies_by_article",
    "change_article",
    "create_article",
    "delete_article",
    "error_path",
    "find_article",
    "get_article",
    "ingest_json_schema",
    "links_by_article",
    "mentions_by_article",
    "raise_if_deleted",
    "tombstone_for",
    "upsert_articles",
    "upsert_batch",
]
