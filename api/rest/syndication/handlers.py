"""Syndication handlers: one domain read, rendered as RSS, Atom or JSON Feed."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from starlette.requests import Request

from api.domain import syndication
from api.domain.syndication import Syndication
from api.rest.core.operations import Call, Handler, Reply
from api.rest.core.params import ArticleFilters, SyndicationQuery
from api.rest.syndication.render import FEED_MEDIA_TYPES, RENDERERS, FeedLinks
from api.settings import Settings

# What a feed page and its syndication feeds share: the filters, and collapsing by story.
FILTER_NAMES = frozenset({*ArticleFilters.model_fields, "collapse"})


def _filter_pairs(request: Request) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query_params.multi_items() if k in FILTER_NAMES]


def _title(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return "Broadsheet"
    return "Broadsheet: " + ", ".join(f"{name} {value}" for name, value in pairs)


def _links(request: Request) -> FeedLinks:
    settings: Settings = request.app.state.settings
    base = settings.public_base_url.rstrip("/")
    pairs = _filter_pairs(request)
    query = request.url.query
    filters = urlencode(pairs)
    return FeedLinks(
        base=base,
        self_url=f"{base}{request.url.path}" + (f"?{query}" if query else ""),
        alternate=f"{base}/v1/articles" + (f"?{filters}" if filters else ""),
        title=_title(pairs),
    )


def _feed_handler(kind: str) -> Handler:
    render: Callable[[Syndication, FeedLinks], bytes] = RENDERERS[kind]

    async def handler(call: Call) -> Reply:
        query: SyndicationQuery = call.query
        feed = await syndication.syndication(
            call.session, query.to_filter(), limit=query.limit, collapse=query.collapse == "story"
        )
        return Reply(render(feed, _links(call.request)))

    return handler


rss_feed = _feed_handler("rss")
atom_feed = _feed_handler("atom")
json_feed = _feed_handler("json")


def alternate_links(request: Request) -> str:
    """A feed page's ``Link`` header: its filters as RSS, Atom and JSON Feed."""
    filters = urlencode(_filter_pairs(request))
    suffix = f"?{filters}" if filters else ""
    return ", ".join(
        f'</v1/feeds/{kind}{suffix}>; rel="alternate"; type="{media}"'
        for kind, media in FEED_MEDIA_TYPES.items()
    )
