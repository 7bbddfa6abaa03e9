"""``Query.search``: ranked full-text search as a Relay-style connection.

Each edge carries the hit's score and snippet beside the article; edges' cursors resume
right after them (they hold the page's recency anchor, so later pages score the same way).
"""

# No `from __future__ import annotations`: strawberry resolves the lazy article type at
# schema build time (the same import cycle connections.py avoids).
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.domain.search import search_page
from api.domain.shared import ArticleRecord, SearchHit
from api.graphql.articles.resolvers import PageInfoRow
from api.graphql.core import inputs
from api.graphql.core.connections import PageInfo
from api.graphql.core.context import Info
from api.graphql.core.errors import argument_names

if TYPE_CHECKING:
    from api.graphql.articles.types import Article

LazyArticle = Annotated["Article", strawberry.lazy("api.graphql.articles.types")]


@dataclass(slots=True)
class SearchConnectionRow:
    hits: list[SearchHit]
    next_cursor: str | None

    @property
    def edges(self) -> list[SearchHit]:
        return self.hits

    @property
    def nodes(self) -> list[ArticleRecord]:
        return [hit.article for hit in self.hits]

    @property
    def page_info(self) -> PageInfoRow:
        if not self.hits:
            return PageInfoRow(has_next_page=False, start_cursor=None, end_cursor=None)
        return PageInfoRow(
            has_next_page=self.next_cursor is not None,
            start_cursor=self.hits[0].cursor,
            end_cursor=self.next_cursor or self.hits[-1].cursor,
        )


def _node(root: strawberry.Parent[SearchHit]) -> ArticleRecord:
    return root.article


@strawberry.type(description="A search hit: the article, its score and a highlighted snippet.")
class SearchEdge:
    cursor: str
    node = strawberry.field(resolver=_node, graphql_type=LazyArticle)
    score: float = strawberry.field(
        description="Relevance blended with recency; higher is better. Comparable within "
        "one search (its pages share a recency anchor), not across searches."
    )
    snippet: str = strawberry.field(
        description="Safe HTML, escaped, with matches in <mark>: a passage of the summary "
        "when it holds a match, else of the analysis when it does, else the summary's start "
        "(the match is in the title, takeaways or entity names)."
    )


@strawberry.type(description="Search hits, best first.")
class SearchConnection:
    edges: list[SearchEdge]
    nodes: list[LazyArticle] = strawberry.field(description="The edges' nodes, for convenience.")
    page_info: PageInfo


async def search_connection(
    info: Info,
    query: str,
    filter: inputs.ArticleFilterInput | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> SearchConnectionRow:
    article_filter = inputs.to_article_filter(filter)
    limit = inputs.page_size(first)
    cursor = inputs.cursor(after)
    with argument_names(q="query", cursor="after"):
        page = await info.context.run(
            search_page,
            query,
            article_filter,
            limit=limit,
            cursor=cursor,
            with_mentions=False,  # MentionsByArticleLoader loads them only when selected
        )
    return SearchConnectionRow(page.items, page.next_cursor)


SEARCH_DESCRIPTION = (
    "Full-text search over titles, summaries, analysis, takeaways and mentioned entities' "
    'names, ranked by relevance and recency. Syntax: words (all must match), `"exact '
    'phrase"`, `a OR b`, `-word` or `-"phrase"` to exclude; `first` <= 100. Order: the '
    "newest 1,000 matches ranked by relevance and recency, then the 1,000 before them, and "
    "so on."
)
