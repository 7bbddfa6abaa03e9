"""The feeds tag: the syndication feeds and the live stream, declared as operations."""

from __future__ import annotations

from api.http.caching import CacheClass
from api.rest.core.operations import Operation
from api.rest.core.params import StreamQuery, SyndicationQuery
from api.rest.sync.stream import EVENT_STREAM, stream_articles
from api.rest.syndication import handlers as feed_handlers
from api.rest.syndication import responses as feed_schemas
from api.rest.syndication.render import ATOM_MEDIA_TYPE, JSON_FEED_MEDIA_TYPE, RSS_MEDIA_TYPE

FEED_DESCRIPTION = (
    "The newest articles matching the feed's filters (the same as `/v1/articles`): title, "
    "link to the original, summary, publication time, source, the category and mentioned "
    "entities as categories, and the image. Strong ETag; `If-None-Match` gets a 304."
)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        path="/v1/feeds/rss",
        operation_id="getRssFeed",
        summary="RSS 2.0 feed of the newest articles, for any feed filter",
        tag="feeds",
        response=feed_schemas.RssDocument,
        handler=feed_handlers.rss_feed,
        description=FEED_DESCRIPTION,
        query=SyndicationQuery,
        cache_class=CacheClass.SYNDICATION,
        media_type=RSS_MEDIA_TYPE,
    ),
    Operation(
        path="/v1/feeds/atom",
        operation_id="getAtomFeed",
        summary="Atom 1.0 feed of the newest articles, for any feed filter",
        tag="feeds",
        response=feed_schemas.AtomDocument,
        handler=feed_handlers.atom_feed,
        description=FEED_DESCRIPTION,
        query=SyndicationQuery,
        cache_class=CacheClass.SYNDICATION,
        media_type=ATOM_MEDIA_TYPE,
    ),
    Operation(
        path="/v1/feeds/json",
        operation_id="getJsonFeed",
        summary="JSON Feed 1.1 of the newest articles, for any feed filter",
        tag="feeds",
        response=feed_schemas.JsonFeed,
        handler=feed_handlers.json_feed,
        description=FEED_DESCRIPTION + " Broadsheet's own facts are in `_broadsheet`.",
        query=SyndicationQuery,
        cache_class=CacheClass.SYNDICATION,
        media_type=JSON_FEED_MEDIA_TYPE,
    ),
    Operation(
        path="/v1/stream",
        operation_id="streamArticles",
        summary="Live stream of article changes (Server-Sent Events), for any feed filter",
        tag="feeds",
        response=feed_schemas.EventStream,
        endpoint=stream_articles,
        description=(
            "Events `article.created` and `article.updated` carry the article as a feed "
            "item (default fields), if it matches the filters; `article.deleted` carries "
            "`id` and `slug` and is sent for every delete (the log cannot tell whether the "
            "deleted article matched). Each event's `id` is a changes cursor: reconnect "
            "with `Last-Event-ID` (or `since`) to resume with no gap. Comments every 15 s "
            "keep the connection open and carry the current position as `id`. The stream "
            "ends after an hour (resume as above); 503 with `Retry-After` when the "
            "worker serves too many streams."
        ),
        query=StreamQuery,
        cache_control="no-store",
        statuses=(503,),
        media_type=EVENT_STREAM,
    ),
)
