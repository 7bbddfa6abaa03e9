"""What the fields do: check arguments, make one domain call (or loader call), shape rows.

Nothing here runs SQL or knows strawberry types; results are the domain's records or the
small row objects below, which the GraphQL types read by plain attribute access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement

from api.domain.articles import article_by_slug, tombstone_for
from api.domain.catalog import (
    entity_cursor,
    entity_scope,
    get_category,
    get_entity,
    get_source,
    list_entities,
    source_scope,
)
from api.domain.feed import article_cursor, article_page, count_articles
from api.domain.shared import (
    ArticleFilter,
    ArticleOrder,
    ArticleRecord,
    CategoryRecord,
    EntityRecord,
    MentionRecord,
    SourceRecord,
)
from api.errors import Gone, InvalidInput, InvalidParam
from api.graphql.core import inputs
from api.graphql.core.context import Context
from api.graphql.core.errors import argument_names
from api.graphql.core.ids import from_global_id
from api.models import EntityType


@dataclass(slots=True)
class PageInfoRow:
    has_next_page: bool
    start_cursor: str | None
    end_cursor: str | None
    # Forward-only paging: whether earlier items exist is not computed.
    has_previous_page: bool = False


@dataclass(slots=True)
class ArticleEdgeRow:
    node: ArticleRecord
    order: ArticleOrder

    @property
    def cursor(self) -> str:
        return article_cursor(self.order, self.node)


@dataclass(slots=True)
class ArticleConnectionRow:
    nodes: list[ArticleRecord]
    next_cursor: str | None
    order: ArticleOrder
    filter: ArticleFilter
    scope: ColumnElement[bool] | None = None
    empty: bool = False  # scoped to an owner that does not exist: nothing to count

    @property
    def edges(self) -> list[ArticleEdgeRow]:
        return [ArticleEdgeRow(node, self.order) for node in self.nodes]

    @property
    def page_info(self) -> PageInfoRow:
        if not self.nodes:
            return PageInfoRow(has_next_page=False, start_cursor=None, end_cursor=None)
        return PageInfoRow(
            has_next_page=self.next_cursor is not None,
            start_cursor=article_cursor(self.order, self.nodes[0]),
            end_cursor=self.next_cursor or article_cursor(self.order, self.nodes[-1]),
        )

    async def total_count(self, ctx: Context) -> int:
        if self.empty:
            return 0
        return await ctx.run(count_articles, self.filter, scope=self.scope)


@dataclass(slots=True)
class EntityEdgeRow:
    node: EntityRecord

    @property
    def cursor(self) -> str:
        return entity_cursor(self.node)


@dataclass(slots=True)
class EntityConnectionRow:
    nodes: list[EntityRecord]
    next_cursor: str | None

    @property
    def edges(self) -> list[EntityEdgeRow]:
        return [EntityEdgeRow(node) for node in self.nodes]

    @property
    def page_info(self) -> PageInfoRow:
        if not self.nodes:
            return PageInfoRow(has_next_page=False, start_cursor=None, end_cursor=None)
        return PageInfoRow(
            has_next_page=self.next_cursor is not None,
            start_cursor=entity_cursor(self.nodes[0]),
            end_cursor=self.next_cursor or entity_cursor(self.nodes[-1]),
        )


@dataclass(slots=True)
class RelatedLinkRow:
    kind: str
    score: float | None
    article: ArticleRecord


async def article_connection(
    ctx: Context,
    filter_input: inputs.ArticleFilterInput | None,
    order: ArticleOrder | None,
    first: int | None,
    after: str | None,
    *,
    scope: ColumnElement[bool] | None = None,
) -> ArticleConnectionRow:
    article_filter = inputs.to_article_filter(filter_input)
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
    return ArticleConnectionRow(page.items, page.next_cursor, order, article_filter, scope)


async def scoped_articles(
    ctx: Context,
    owner: Literal["entity", "source"],
    slug: str,
    filter_input: inputs.ArticleFilterInput | None,
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
    if scope is None:
        return ArticleConnectionRow(
            [], None, order or ArticleOrder.NEWEST, ArticleFilter(), empty=True
        )
    return await article_connection(ctx, filter_input, order, first, after, scope=scope)


async def entity_connection(
    ctx: Context,
    entity_type: EntityType | None,
    query: str | None,
    first: int | None,
    after: str | None,
) -> EntityConnectionRow:
    limit = inputs.page_size(first)
    prefix = inputs.name_query(query)
    cursor = inputs.cursor(after)
    with argument_names(cursor="after"):
        page = await ctx.run(
            list_entities, entity_type=entity_type, name_prefix=prefix, limit=limit, cursor=cursor
        )
    return EntityConnectionRow(page.items, page.next_cursor)


async def find_article(ctx: Context, id: str | None, slug: str | None) -> ArticleRecord | None:
    if (id is None) == (slug is None):
        reason = "give exactly one of `id` and `slug`"
        raise InvalidInput(
            detail=f"id, slug: {reason}",
            invalid_params=[InvalidParam("id", reason), InvalidParam("slug", reason)],
        )
    if slug is not None:
        key = inputs.lookup_key("slug", slug)
        found = await ctx.run(article_by_slug, key)
    else:
        assert id is not None
        key = inputs.lookup_key("id", id)
        decoded = from_global_id(key)
        if decoded is not None:
            node_type, key = decoded
            if node_type != "Article":
                return None
        found = await ctx.loaders.article_by_id.load(key)
    # REST answers a deleted article's id or slug with 410: here, null and a GONE error.
    if found is None and await ctx.run(tombstone_for, key) is not None:
        raise Gone(detail=f"article {key!r} was deleted")
    return found


async def find_entity(ctx: Context, slug: str) -> EntityRecord | None:
    return await ctx.run(get_entity, inputs.lookup_key("slug", slug))


async def find_source(ctx: Context, slug: str) -> SourceRecord | None:
    return await ctx.run(get_source, inputs.lookup_key("slug", slug))


async def find_node(
    ctx: Context, global_id: str
) -> ArticleRecord | EntityRecord | SourceRecord | CategoryRecord | None:
    decoded = from_global_id(global_id)
    if decoded is None:
        return None
    node_type, key = decoded
    if len(key) > inputs.MAX_KEY_LENGTH:
        return None
    if node_type == "Article":
        return await ctx.loaders.article_by_id.load(key)
    if node_type == "Entity":
        return await ctx.loaders.entity_by_slug.load(key)
    if node_type == "Source":
        return await ctx.run(get_source, key)
    return await ctx.run(get_category, key)


async def mentions_of(ctx: Context, article: ArticleRecord) -> list[MentionRecord]:
    if article.mentions is not None:
        return article.mentions
    return await ctx.loaders.mentions_by_article.load(article.pk)


async def entity_details(ctx: Context, entity: EntityRecord | MentionRecord) -> EntityRecord:
    """The full record of an entity reached through a mention (which lacks most fields)."""
    if isinstance(entity, EntityRecord):
        return entity
    found = await ctx.loaders.entity_by_slug.load(entity.slug)
    if found is None:  # the mention's entity vanished mid-request: show what we know
        return EntityRecord(entity.slug, entity.name, entity.type, [], None, None, None, None)
    return found


async def related_links(ctx: Context, article: ArticleRecord) -> list[RelatedLinkRow]:
    """Stored links, strongest first, with their targets as full articles (batched)."""
    links = article.links
    if links is None:
        links = await ctx.loaders.links_by_article.load(article.pk)
    targets = await ctx.loaders.article_by_id.load_many([link.article.id for link in links])
    return [
        RelatedLinkRow(link.kind, link.score, target)
        for link, target in zip(links, targets, strict=True)
        if target is not None  # deleted between two statements of this request
    ]
