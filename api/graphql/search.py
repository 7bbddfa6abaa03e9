"""``Query.search``: ranked full-text search as a Relay-style connection.

Each edge carries the hit's score and snippet beside the article; edges' cursors resume
right after them (they hold the page's recency anchor, so later pages score the same way).
"""

from __future__ import annotations

from operator import attrgetter

import strawberry

from api.domain.search import search_page
from api.domain.shared import ArticleRecord, SearchHit
from api.graphql.articles.types import Article
from api.graphql.core import inputs
from api.graphql.core.connections import Connection, Edge, PageInfo
from api.graphql.core.context import Info
from api.graphql.core.errors import argument_names

SearchConnectionRow = Connection[SearchHit, ArticleRecord]


def _score(root: strawberry.Parent[Edge[SearchHit, ArticleRecord]]) -> float:
    return root.item.score


def _snippet(root: strawberry.Parent[Edge[SearchHit, ArticleRecord]]) -> str:
    return root.item.snippet


@strawberry.type(description="A search hit: the article, its score and a highlighted snippet.")
class SearchEdge:
    cursor: str
    score: float = strawberry.field(
        resolver=_score,
        description="Relevance blended with recency; higher is better. Comparable within "
        "one search (its pages share a recency anchor), not across searches.",
    )
    snippet: str = strawberry.field(
        resolver=_snippet,
        description="Safe HTML, escaped, with matches in <mark>: a passage of the summary "
        "when it holds a match, else of the analysis when it does, else the summary's start "
        "(the match is in the title, takeaways or entity names).",
    )
    node: Article


@strawberry.type(description="Search hits, best first.")
class SearchConnection:
    edges: list[SearchEdge]
    nodes: list[Article] = strawberry.field(description="The edges' nodes, for convenience.")
    page_info: PageInfo


async def _search(
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
    return Connection(page.items, page.next_cursor, attrgetter("cursor"), attrgetter("article"))


SEARCH = strawberry.field(
    resolver=_search,
    graphql_type=SearchConnection,
    description=(
        "Full-text search over titles, summaries, analysis, takeaways and mentioned entities' "
        'names, ranked by relevance and recency. Syntax: words (all must match), `"exact '
        'phrase"`, `a OR b`, `-word` or `-"phrase"` to exclude; `first` <= 100. Order: the '
        "newest 1,000 matches ranked by relevance and recency, then the 1,000 before them, and "
        "so on."
    ),
)
