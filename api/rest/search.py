"""``GET /v1/search``: full-text search over articles, declared with its handler."""

from __future__ import annotations

from api.domain import search
from api.rest.core import responses as schemas
from api.rest.core.operations import Call, Operation, Reply
from api.rest.core.params import SearchQuery
from api.rest.core.views import feed_item_view


async def search_articles(call: Call) -> Reply:
    query: SearchQuery = call.query
    fields = query.field_set()
    page = await search.search_page(
        call.session,
        query.q,
        query.to_filter(),
        limit=query.limit,
        cursor=query.cursor,
        with_body=bool(fields & {"analysis", "key_takeaways"}),
        with_mentions="entities" in fields,
        with_stories="story" in fields,
    )
    items = [
        {"article": feed_item_view(hit.article, fields), "score": hit.score, "snippet": hit.snippet}
        for hit in page.items
    ]
    return Reply({"items": items, "next_cursor": page.next_cursor})


SEARCH_ARTICLES = Operation(
    path="/v1/search",
    operation_id="searchArticles",
    summary="Full-text search: ranked by relevance and recency, with highlighted snippets",
    tag="articles",
    response=schemas.SearchPage,
    handler=search_articles,
    description=(
        "Searches titles, summaries, analysis, takeaways and the names of mentioned "
        'entities. Syntax: words (all must match), `"exact phrase"`, `a OR b`, '
        '`-word` / `-"phrase"` to exclude. Combines with every feed filter; '
        "malformed queries get a 400 naming `q`. Order: the newest 1,000 matches "
        "ranked by relevance and recency, then the 1,000 before them, and so on."
    ),
    query=SearchQuery,
    offload=True,
)
