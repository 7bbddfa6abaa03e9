"""Purge keys: the names a cached response carries for what it depends on, and the keys a
committed change makes stale.

- ``article-<public id>``: an article page (lists carry ``feed`` instead: see below);
- ``source-<slug>``, ``category-<slug>``, ``entity-<slug>``: what a page embeds of them;
- ``feed``: every list and every figure counted over articles (entity mention counts,
  trending, related, GraphQL answers). Any change purges it: a new or changed article may
  enter or leave any filtered list, and telling which would cost more than refilling them.
  So a list names no item of its own: their keys would only add bytes to every response.

Keys are made of ``[a-z0-9-]`` only (public ids and slugs already are), so they need no
quoting in a header, and a BAN can match them with a plain regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

FEED = "feed"
# Each key header (Surrogate-Key, xkey, Cache-Tag) stays within this many bytes: Varnish
# refuses a response header line past http_resp_hdr_len (8 KB by default) and every proxy
# has some such limit. Past it the list stops at a whole key; broad keys come first, so the
# response stays purgeable ("feed" covers every list).
MAX_KEY_HEADER_BYTES = 4000
# Resources of the changes log whose keys responses carry.
KEYED_RESOURCES = frozenset({"article", "source", "category", "entity"})
_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")


def key(resource: str, identifier: str) -> str:
    return f"{resource}-{identifier}"


def article_page_keys(document: dict[str, Any]) -> list[str]:
    """An article page's keys: the article, its source, category and entities."""
    keys = [key("article", document["id"]), key("source", document["source"]["slug"])]
    if document.get("category"):
        keys.append(key("category", document["category"]["slug"]))
    keys.extend(key("entity", mention["slug"]) for mention in document.get("entities") or ())
    return keys


def change_keys(resource: str, identifier: str) -> tuple[str, ...]:
    """What a change to this resource makes stale; nothing for resources no response
    names (webhook subscriptions, which are never publicly cached)."""
    if resource not in KEYED_RESOURCES:
        return ()
    return (key(resource, identifier), FEED)


def bounded(keys: Iterable[str], limit: int = MAX_KEY_HEADER_BYTES) -> list[str]:
    """Distinct, well-formed keys in order, as many as fit ``limit`` bytes space-separated."""
    kept: list[str] = []
    seen: set[str] = set()
    size = -1
    for candidate in keys:
        if candidate in seen or not _KEY.fullmatch(candidate):
            continue
        if size + 1 + len(candidate) > limit:
            break
        seen.add(candidate)
        kept.append(candidate)
        size += 1 + len(candidate)
    return kept


def chunks(keys: Sequence[str], limit: int = MAX_KEY_HEADER_BYTES) -> list[list[str]]:
    """Keys split into space-separated groups of at most ``limit`` bytes: one purge
    request each, so no request header outgrows what the cache accepts."""
    groups: list[list[str]] = []
    current: list[str] = []
    size = -1
    for one in dict.fromkeys(keys):
        if current and size + 1 + len(one) > limit:
            groups.append(current)
            current, size = [], -1
        current.append(one)
        size += 1 + len(one)
    if current:
        groups.append(current)
    return groups
