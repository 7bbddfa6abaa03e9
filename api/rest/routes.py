"""The REST v1 surface: every tag's operations, in the contract's order.

The order is the order of ``openapi.yaml``'s paths (a path appears where its first
operation is) and of the route table: ``/v1/entities/trending`` must come before
``/v1/entities/{slug}``. The contract and its docs page (``api.rest.contract``) are built
from ``OPERATIONS`` and mounted next to these routes by the app.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from api.rest import health, search
from api.rest.articles import operations as articles
from api.rest.catalog import operations as catalog
from api.rest.core.operations import Operation, routes_for
from api.rest.stories import operations as stories
from api.rest.sync.changes import LIST_CHANGES
from api.rest.syndication import operations as syndication
from api.rest.webhooks import operations as webhooks

OPERATIONS: tuple[Operation, ...] = (
    # Reads
    articles.LIST_ARTICLES,
    search.SEARCH_ARTICLES,
    *articles.ARTICLE_PAGES,
    *catalog.READS,
    *stories.OPERATIONS,
    # Writes, and the changes log they leave behind
    *articles.WRITES,
    LIST_CHANGES,
    *catalog.WRITES,
    # Syndication feeds and the live stream, webhooks, then the probes
    *syndication.OPERATIONS,
    *webhooks.OPERATIONS,
    *health.OPERATIONS,
)


def rest_routes() -> list[BaseRoute]:
    return list(routes_for(OPERATIONS))
