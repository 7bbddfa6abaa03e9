"""The article fields of ``Query``: ``article`` (by id or slug) and ``articles`` (the feed).

Each feed page is one domain call (the function REST's feed calls), filtered as REST
filters; the connection is ``core.connections``' with the article cursors of the page's
order. The catalog's ``Source.articles`` and ``Entity.articles`` are the same feed,
narrowed to one owner (``scoped_articles``).
"""

from __future__ import annotations

import enum
from functools import partial
from typing import Literal

import strawberry
from sqlalchemy import ColumnElement

from api.domain.catalog import entity_scope, source_scope
from api.domain.feed import article_cursor, article_page, count_articles
from api.domain.shared import ArticleRecord
from api.domain.stories import collapsed_scope
from api.graphql.articles import resolvers
from api.graphql.articles.types import Article
from api.graphql.core import inputs
from api.graphql.core.connections import Connection, PageInfo, itself
from api.graphql.core.context import Context, Info
from api.graphql.core.errors import argument_names
from api.graphql.core.inputs import ArticleFilterInput, ArticleOrder

ArticleConnectionRow = Connection[ArticleRecord, ArticleRecord]


@strawberry.enum(description="How the feed folds articles together.")
class ArticleCollapse(enum.Enum):
    STORY = "story"


@strawberry.type
class ArticleEdge:
    cursor: str
    node: Article


async def _total_count(root: strawberry.Parent[ArticleConnectionRow]) -> int:
    return await root.total_count()


@strawberry.type(description="A page of articles.")
class ArticleConnection:
    edges: list[ArticleEdge]
    nodes: list[Article] = strawberry.field(description="The edges' nodes, for convenience.")
    page_info: PageInfo
    total_count: int = strawberry.field(
        resolver=_total_count,
        description="All articles matching the filter (not just this page); runs a COUNT.",
    )


async def _none() -> int:
    return 0


async def article_connection(
    ctx: Context,
    filter_input: ArticleFilterInput | None,
    order: ArticleOrder | None,
    first: int | None,
    after: str | None,
    *,
    scope: ColumnElement[bool] | None = None,
    collapse: ArticleCollapse | None = None,
) -> ArticleConnectionRow:
    article_filter = inputs.to_article_filter(filter_input)
    if collapse is ArticleCollapse.STORY:
        scope = collapsed_scope(scope)
    order = order or ArticleOrder.NEWEST
    limit = inputs.page_size(first)
    cursor = inputs.cursor(after)
    with argument_names(cursor="after"):
        page = await ctx.run(
            article_page,
            article_filter,
            order=order,
            limit=limit,
            cursor=cursor,
            with_mentions=False,  # MentionsByArticleLoader loads them only when selected
            scope=scope,
        )
    return Connection(
        page.items,
        page.next_cursor,
        partial(article_cursor, order),
        itself,
        lambda: ctx.run(count_articles, article_filter, scope=scope),
    )


async def scoped_articles(
    ctx: Context,
    owner: Literal["entity", "source"],
    slug: str,
    filter_input: ArticleFilterInput | None,
    order: ArticleOrder | None,
    first: int | None,
    after: str | None,
) -> ArticleConnectionRow:
    """An entity's or a source's articles: the feed narrowed to one owner."""
    # Argument errors before any statement.
    inputs.to_article_filter(filter_input)
    inputs.page_size(first)
    inputs.cursor(after)
    scope = await ctx.run(entity_scope if owner == "entity" else source_scope, slug)
    if scope is None:  # no such owner: an empty page, and nothing to count
        order = order or ArticleOrder.NEWEST
        return Connection([], None, partial(article_cursor, order), itself, _none)
    return await article_connection(ctx, filter_input, order, first, after, scope=scope)


async def _article(
    info: Info, id: strawberry.ID | None = None, slug: str | None = None
) -> ArticleRecord | None:
    return await resolvers.find_article(info.context, id, slug)


async def _articles(
    info: Info,
    filter: ArticleFilterInput | None = None,
    order_by: ArticleOrder | None = ArticleOrder.NEWEST,
    first: int | None = 20,
    after: str | None = None,
    collapse: ArticleCollapse | None = None,
) -> ArticleConnectionRow:
    return await article_connection(info.context, filter, order_by, first, after, collapse=collapse)


ARTICLE = strawberry.field(
    resolver=_article,
    graphql_type=Article | None,
    description=(
        "An article by `id` (its global id or its public `articleId`) or by `slug`: "
        "exactly one of them. Null when there is no such article; a deleted one is null "
        "with a GONE error (REST's 410)."
    ),
)
ARTICLES = strawberry.field(
    resolver=_articles,
    graphql_type=ArticleConnection,
    description=(
        "The feed: filtered, newest (or most important) first, `first` <= 100. "
        "`collapse: STORY` lists one article per story (its headline) and each story once."
    ),
)
