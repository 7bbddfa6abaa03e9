"""The REST v1 surface: every operation declared once, here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from api.db.database import Database
from api.db.health import database_status
from api.domain.articles import ArticleCreate, ArticleUpdate
from api.edge.lifecycle import draining
from api.models import KeyScope
from api.rest import handlers, write_handlers
from api.rest.catalog_write_routes import catalog_write_operations
from api.rest.contract.docs import docs_routes
from api.rest.core import responses as schemas
from api.rest.core.operations import Operation, PathParam, routes_for
from api.rest.core.params import (
    EntityListQuery,
    FeedQuery,
    RelatedEntitiesQuery,
    RelatedQuery,
    SearchQuery,
    TrendingQuery,
)
from api.rest.syndication.operations import feed_operations
from api.rest.webhook_routes import webhook_operations
from api.rest.write_schemas import ArticleBatch, BatchResult, ChangesPage, ChangesQuery

ARTICLE_KEY = PathParam(
    "key",
    "The article's public id or its slug.",
    pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    example="0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d",
    response_field="id",
)
ENTITY_SLUG = PathParam("slug", "The entity's slug.", max_length=120)
SOURCE_SLUG = PathParam("slug", "The source's slug.", max_length=100, example="crypto-briefing")
LONG_CACHE = "public, max-age=300, stale-while-revalidate=600"


async def healthz(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


async def readyz(request: Request) -> Response:
    if draining.active:  # shutting down: send traffic elsewhere, before the drain ends
        return Response(
            b'{"status":"unavailable","database":false,"migrations_at_head":false,"draining":true}',
            status_code=503,
            media_type="application/json",
            headers={"Retry-After": "5"},
        )
    database: Database = request.app.state.db
    try:
        async with database.session(offload=True) as session:  # the pool the writes use
            status = await database_status(session)
    except Exception:  # any failure to answer means "not ready", never a 500
        return Response(
            b'{"status":"unavailable","database":false,"migrations_at_head":false}',
            status_code=503,
            media_type="application/json",
            headers={"Retry-After": "5"},
        )
    ready = status.at_head
    body = b'{"status":"%s","database":true,"migrations_at_head":%s}' % (
        b"ready" if ready else b"unavailable",
        b"true" if ready else b"false",
    )
    return Response(body, status_code=200 if ready else 503, media_type="application/json")


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "/v1/articles",
        "listArticles",
        "The feed: articles, newest (or most important) first",
        "articles",
        schemas.FeedPage,
        handlers.list_articles,
        description="Filter, order and page through articles with an opaque keyset cursor.",
        query=FeedQuery,
    ),
    Operation(
        "/v1/search",
        "searchArticles",
        "Full-text search: ranked by relevance and recency, with highlighted snippets",
        "articles",
        schemas.SearchPage,
        handlers.search_articles,
        description=(
            "Searches titles, summaries, analysis, takeaways and the names of mentioned "
            'entities. Syntax: words (all must match), `"exact phrase"`, `a OR b`, '
            '`-word` / `-"phrase"` to exclude. Combines with every feed filter; '
            "malformed queries get a 400 naming `q`. Order: the newest 1,000 matches "
            "ranked by relevance and recency, then the 1,000 before them, and so on."
        ),
        query=SearchQuery,
        offload=True,
    ),
    Operation(
        "/v1/articles/{key}",
        "getArticle",
        "An article page: everything it shows, in one request",
        "articles",
        schemas.Article,
        handlers.get_article,
        path_params=(ARTICLE_KEY,),
        statuses=(404, 410),
        cache_control="public, max-age=60, stale-while-revalidate=300",
    ),
    Operation(
        "/v1/articles/{key}/related",
        "listRelatedArticles",
        "Articles related to this one, each with a score and an explanation",
        "articles",
        schemas.RelatedPage,
        handlers.related_articles,
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
    Operation(
        "/v1/sources",
        "listSources",
        "Every source (publisher), by name",
        "sources",
        schemas.SourceList,
        handlers.list_sources,
        cache_control=LONG_CACHE,
    ),
    Operation(
        "/v1/sources/{slug}",
        "getSource",
        "One source",
        "sources",
        schemas.Source,
        handlers.get_source,
        path_params=(SOURCE_SLUG,),
        statuses=(404,),
        cache_control=LONG_CACHE,
    ),
    Operation(
        "/v1/sources/{slug}/articles",
        "listSourceArticles",
        "A source's articles, with the feed's filters and paging",
        "sources",
        schemas.FeedPage,
        handlers.source_articles,
        query=FeedQuery,
        path_params=(SOURCE_SLUG,),
        statuses=(404,),
    ),
    Operation(
        "/v1/categories",
        "listCategories",
        "Every category, by name",
        "categories",
        schemas.CategoryList,
        handlers.list_categories,
        cache_control=LONG_CACHE,
    ),
    Operation(
        "/v1/entities",
        "listEntities",
        "Entities (companies, people, tokens, countries...) by name",
        "entities",
        schemas.EntityPage,
        handlers.list_entities,
        query=EntityListQuery,
    ),
    # Before /v1/entities/{slug}, which would otherwise take "trending" for a slug.
    Operation(
        "/v1/entities/trending",
        "listTrendingEntities",
        "Entities by mention growth: this window against the one before",
        "entities",
        schemas.TrendingPage,
        handlers.trending_entities,
        description=(
            "Growth is `(current - previous) / sqrt(previous + 1)`, so a jump from 200 to "
            "400 mentions outranks one from 1 to 3. The window ends at `until`, or at the "
            "newest article's publication time. Only entities mentioned in the window."
        ),
        query=TrendingQuery,
        offload=True,
    ),
    Operation(
        "/v1/entities/{slug}",
        "getEntity",
        "One entity, with how many articles mention it",
        "entities",
        schemas.Entity,
        handlers.get_entity,
        path_params=(ENTITY_SLUG,),
        statuses=(404,),
    ),
    Operation(
        "/v1/entities/{slug}/related",
        "listRelatedEntities",
        "Entities mentioned in the same articles as this one, most often first",
        "entities",
        schemas.RelatedEntityList,
        handlers.related_entities,
        query=RelatedEntitiesQuery,
        path_params=(ENTITY_SLUG,),
        statuses=(404,),
        offload=True,
    ),
    Operation(
        "/v1/entities/{slug}/articles",
        "listEntityArticles",
        "Articles mentioning an entity, with the feed's filters and paging",
        "entities",
        schemas.FeedPage,
        handlers.entity_articles,
        query=FeedQuery,
        path_params=(ENTITY_SLUG,),
        statuses=(404,),
    ),
    Operation(
        "/v1/articles",
        "createArticle",
        "Create an article",
        "articles",
        schemas.Article,
        write_handlers.create_article,
        description="409 if an article already has this canonical URL (update that one).",
        method="POST",
        body=ArticleCreate,
        scope=KeyScope.WRITE,
        success=201,
        statuses=(409, 413, 415, 422),
    ),
    Operation(
        "/v1/articles/{key}",
        "replaceArticle",
        "Replace an article: fields left out return to their defaults",
        "articles",
        schemas.Article,
        write_handlers.change_article,
        path_params=(ARTICLE_KEY,),
        method="PUT",
        body=ArticleCreate,
        scope=KeyScope.WRITE,
        requires_if_match=True,
        statuses=(404, 409, 410, 412, 413, 415, 422, 428),
    ),
    Operation(
        "/v1/articles/{key}",
        "updateArticle",
        "Change some fields of an article (JSON merge patch)",
        "articles",
        schemas.Article,
        write_handlers.change_article,
        path_params=(ARTICLE_KEY,),
        method="PATCH",
        body=ArticleUpdate,
        scope=KeyScope.WRITE,
        requires_if_match=True,
        statuses=(404, 409, 410, 412, 413, 415, 422, 428),
    ),
    Operation(
        "/v1/articles/{key}",
        "deleteArticle",
        "Delete an article; its id and slug then answer 410 Gone",
        "articles",
        schemas.Article,
        write_handlers.delete_article,
        path_params=(ARTICLE_KEY,),
        method="DELETE",
        scope=KeyScope.WRITE,
        success=204,
        statuses=(404, 410, 412),
    ),
    Operation(
        "/v1/articles:batch",
        "upsertArticles",
        "Create or update up to 1,000 articles by canonical URL, with a result per item",
        "articles",
        BatchResult,
        write_handlers.upsert_batch,
        description="One transaction. With `atomic: true` one bad item means nothing is written.",
        method="POST",
        body=ArticleBatch,
        scope=KeyScope.WRITE,
        statuses=(413, 415, 422),
    ),
    Operation(
        "/v1/changes",
        "listChanges",
        "Every create, update and delete, in commit order",
        "sync",
        ChangesPage,
        write_handlers.list_changes,
        description="Mirror the store: replay from the start, then poll with `next_cursor`.",
        query=ChangesQuery,
        cache_control="no-store",
    ),
    *catalog_write_operations(SOURCE_SLUG, ENTITY_SLUG),
    # --- Syndication feeds and the live stream ---
    *feed_operations(),
    *webhook_operations(),
    Operation(
        "/healthz",
        "getHealth",
        "Liveness: the process is up",
        "operations",
        schemas.Health,
        endpoint=healthz,
        cache_control="no-store",
    ),
    Operation(
        "/readyz",
        "getReadiness",
        "Readiness: the database answers and migrations are at head",
        "operations",
        schemas.Readiness,
        endpoint=readyz,
        statuses=(503,),
        cache_control="no-store",
    ),
)


def rest_routes() -> list[BaseRoute]:
    return [*routes_for(OPERATIONS), *docs_routes()]
