"""HTTP caching for GET responses (REST reads, GraphQL queries over GET): strong content
ETags, 304s, Last-Modified, the freshness of each route class and the purge keys.

A public answer's ``Cache-Control`` comes from its route class's setting (``cache_feed``
and the others), so browsers (``max-age``) and shared caches (``s-maxage``,
``stale-while-revalidate``, ``stale-if-error``) are tuned in one place. An answer to a
request that carries an API key, or any read when reads need a key, is private: no
shared cache keeps it, and it names no purge keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from email.utils import format_datetime, parsedate_to_datetime
from enum import StrEnum

from starlette.requests import Request
from starlette.responses import Response

from api.db.replicas import POSITION_COOKIE, POSITION_HEADER
from api.domain.purges import bounded
from api.settings import Settings

JSON_MEDIA_TYPE = "application/json"
PRIVATE = "private, no-cache"


class CacheClass(StrEnum):
    """Route classes, each with its freshness setting (``Settings.cache_<class>``)."""

    ARTICLE = "article"  # article pages
    FEED = "feed"  # feed pages, lists and figures over articles
    SYNDICATION = "syndication"  # RSS, Atom, JSON Feed
    CATALOG = "catalog"  # sources, categories, entities
    GRAPHQL = "graphql"  # GraphQL queries over GET (by persisted hash, or in full)


def carries_key(request: Request) -> bool:
    headers = request.headers
    return "authorization" in headers or "x-api-key" in headers


def carries_position(request: Request) -> bool:
    """A client asking to read its own writes (api.db.replicas): its answer is its own."""
    return POSITION_HEADER.lower() in request.headers or POSITION_COOKIE in request.cookies


def is_private(request: Request, settings: Settings) -> bool:
    return settings.require_key_for_reads or carries_key(request) or carries_position(request)


def cache_control(cache_class: CacheClass, settings: Settings) -> str:
    """A public answer's ``Cache-Control`` for this route class."""
    directives: str = getattr(settings, f"cache_{cache_class.value}")
    return "public, " + directives


def purge_key_headers(keys: Iterable[str]) -> dict[str, str]:
    """The purge keys in the headers caches read them from: ``Surrogate-Key`` (Fastly and
    others), ``xkey`` (Varnish's xkey vmod), ``Cache-Tag`` (Cloudflare, comma-separated).
    Each stays within ``MAX_KEY_HEADER_BYTES`` (api.domain.purges.keys)."""
    kept = bounded(keys)
    if not kept:
        return {}
    spaced = " ".join(kept)
    return {"Surrogate-Key": spaced, "xkey": spaced, "Cache-Tag": ",".join(kept)}


def strong_etag(body: bytes, prefix: str = "") -> str:
    # 128 bits of SHA-256: CPUs hash it in hardware, about three times faster here than
    # BLAKE2 on a 40 KB feed page (a cost every GET pays).
    return '"' + prefix + hashlib.sha256(body).hexdigest()[:32] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # If-None-Match uses weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored.
    candidates = (tag.strip().removeprefix("W/") for tag in header.split(","))
    return etag in candidates


def _not_modified_since(request: Request, last_modified: dt.datetime) -> bool:
    header = request.headers.get("if-modified-since")
    if header is None or "if-none-match" in request.headers:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def cached_json(
    request: Request,
    body: bytes,
    *,
    cache_control: str,
    last_modified: dt.datetime | None = None,
    etag_prefix: str = "",
    media_type: str = JSON_MEDIA_TYPE,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """A 200 with validators, or an empty 304 when the client's copy is current."""
    etag = strong_etag(body, etag_prefix)
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    headers.update(extra_headers or {})
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified.astimezone(dt.UTC), usegmt=True)
    if_none_match = request.headers.get("if-none-match")
    if (if_none_match is not None and _etag_matches(if_none_match, etag)) or (
        last_modified is not None and _not_modified_since(request, last_modified)
    ):
        return Response(status_code=304, headers=headers)
    return Response(body, headers=headers, media_type=media_type)
