"""The articles tag: the feed, article pages and their related articles, and the writes.

Search is tagged ``articles`` too but lives in ``api.rest.search``; ``api.rest.routes``
lists these in the contract's order (the feed, search, then the pages).
"""

from __future__ import annotations

from api.domain.articles import ArticleCreate, ArticleUpdate
from api.http.caching import CacheClass
from api.models import KeyScope
from api.rest.articles import reads, writes
from api.rest.articles.schemas import ArticleBatch, BatchResult
from api.rest.core import responses as schemas
from api.rest.core.operations import Operation, PathParam
from api.rest.core.params import FeedQuery, RelatedQuery

TAG = "articles"
ARTICLE_KEY = PathParam(
    "key",
    "The article's public id or its slug.",
    pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    example="0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d",
    response_field="id",
)
CHANGE_STATUSES = (404, 409, 410, 412, 413, 415, 422, 428)

LIST_ARTICLES = Operation(
    path="/v1/articles",
    operation_id="listArticles",
    summary="The feed: articles, newest (or most important) first",
    tag=TAG,
    response=schemas.FeedPage,
    handler=reads.list_articles,
    description="Filter, order and page through articles with an opaque keyset cursor.",
    query=FeedQuery,
    driver_reads=True,
)

ARTICLE_PAGES: tuple[Operation, ...] = (
    Operation(
        path="/v1/articles/{key}",
        operation_id="getArticle",
        summary="An article page: everything it shows, in one request",
        tag=TAG,
        response=schemas.Article,
        handler=reads.get_article,
        path_params=(ARTICLE_KEY,),
        statuses=(404, 410),
        cache_class=CacheClass.ARTICLE,
        purge_keys=(),  # the reply names the article, its source, category and entities
        driver_reads=True,
    ),
    Operation(
        path="/v1/articles/{key}/related",
        operation_id="listRelatedArticles",
        summary="Articles related to this one, each with a score and an explanation",
        tag=TAG,
        response=schemas.RelatedPage,
        handler=reads.related_articles,
        description=(
            "Stored links first (by link score, then kind), then articles ranked by shared "
            "entities: each contributes idf x salience in both articles x a time decay "
            "(half-life 7 days, from this article's time), listed in `explanation`. One item "
            "per article; order score, then newest."
        ),
        query=RelatedQuery,
        path_params=(ARTICLE_KEY,),
        statuses=(404,),
        offload=True,
    ),
)

WRITES: tuple[Operation, ...] = (
    Operation(
        path="/v1/articles",
        operation_id="createArticle",
        summary="Create an article",
        tag=TAG,
        response=schemas.Article,
        handler=writes.create_article,
        description="409 if an article already has this canonical URL (update that one).",
        method="POST",
        body=ArticleCreate,
        scope=KeyScope.WRITE,
        success=201,
        statuses=(409, 413, 415, 422),
    ),
    Operation(
        path="/v1/articles/{key}",
        operation_id="replaceArticle",
        summary="Replace an article: fields left out return to their defaults",
        tag=TAG,
        response=schemas.Article,
        handler=writes.change_article,
        path_params=(ARTICLE_KEY,),
        method="PUT",
        body=ArticleCreate,
        scope=KeyScope.WRITE,
        requires_if_match=True,
        statuses=CHANGE_STATUSES,
    ),
    Operation(
        path="/v1/articles/{key}",
        operation_id="updateArticle",
        summary="Change some fields of an article (JSON merge patch)",
        tag=TAG,
        response=schemas.Article,
        handler=writes.change_article,
        path_params=(ARTICLE_KEY,),
        method="PATCH",
        body=ArticleUpdate,
        scope=KeyScope.WRITE,
        requires_if_match=True,
        statuses=CHANGE_STATUSES,
    ),
    Operation(
        path="/v1/articles/{key}",
        operation_id="deleteArticle",
        summary="Delete an article; its id and slug then answer 410 Gone",
        tag=TAG,
        response=schemas.Article,
        handler=writes.delete_article,
        path_params=(ARTICLE_KEY,),
        method="DELETE",
        scope=KeyScope.WRITE,
        success=204,
        statuses=(404, 410, 412),
    ),
    Operation(
        path="/v1/articles:batch",
        operation_id="upsertArticles",
        summary="Create or update up to 1,000 articles by canonical URL, with a result per item",
        tag=TAG,
        response=BatchResult,
        handler=writes.upsert_batch,
        description="One transaction. With `atomic: true` one bad item means nothing is written.",
        method="POST",
        body=ArticleBatch,
        scope=KeyScope.WRITE,
        statuses=(413, 415, 422),
    ),
)
