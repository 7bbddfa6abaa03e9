"""Relay global ids: base64 of ``"Type:key"``.

The key is the one a client already sees elsewhere: an article's public id, and the slug
of an entity, source or category. Anything that does not decode to a known type and a
plausible key is "no such node", never an error.
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal, cast

NodeType = Literal["Article", "Entity", "Source", "Category"]
NODE_TYPES: frozenset[str] = frozenset({"Article", "Entity", "Source", "Category"})
MAX_GLOBAL_ID_LENGTH = 512


def to_global_id(type_name: NodeType, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


def from_global_id(global_id: str) -> tuple[NodeType, str] | None:
    if not global_id or len(global_id) > MAX_GLOBAL_ID_LENGTH:
        return None
    try:
        raw = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, separator, key = raw.partition(":")
    if not separator or not key or "\x00" in key or type_name not in NODE_TYPES:
        return None
    return cast(NodeType, type_name), key
