"""Relay connections: ``edges { cursor node }``, ``pageInfo``, and ``nodes`` as a shortcut.

Paging is forward-only (``first``/``after``) on the domain's keyset cursors, so deep pages
cost what the first does. ``totalCount`` runs its COUNT only when selected.
"""

# No `from __future__ import annotations`: strawberry resolves the lazy string references
# below at schema build time, which avoids an import cycle with the node types.
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql.articles.resolvers import ArticleConnectionRow
from api.graphql.core.context import Info

if TYPE_CHECKING:
    from api.graphql.articles.types import Article
    from api.graphql.catalog.types import Entity

LazyArticle = Annotated["Article", strawberry.lazy("api.graphql.articles.types")]
LazyEntity = Annotated["Entity", strawberry.lazy("api.graphql.catalog.types")]


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool = strawberry.field(
        description="Always false: paging is forward-only (`first`/`after`)."
    )
    start_cursor: str | None
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


@strawberry.type
class ArticleEdge:
    cursor: str
    node: LazyArticle


async def _total_count(root: strawberry.Parent[ArticleConnectionRow], info: Info) -> int:
    return await root.total_count(info.context)


@strawberry.type(description="A page of articles.")
class ArticleConnection:
    edges: list[ArticleEdge]
    nodes: list[LazyArticle] = strawberry.field(description="The edges' nodes, for convenience.")
    page_info: PageInfo
    total_count: int = strawberry.field(
        resolver=_total_count,
        description="All articles matching the filter (not just this page); runs a COUNT.",
    )


@strawberry.type
class EntityEdge:
    cursor: str
    node: LazyEntity


@strawberry.type(description="A page of entities, by name.")
class EntityConnection:
    edges: list[EntityEdge]
    nodes: list[LazyEntity]
    page_info: PageInfo
