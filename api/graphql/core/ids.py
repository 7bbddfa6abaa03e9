"""Relay global ids (base64 of ``"Type:key"``) and ``Node``, the interface they refetch by.

The key is the one a client already sees elsewhere: an article's or a story's public id,
and the slug of an entity, source or category. Anything that does not decode to a known type and a
plausible key is "no such node", never an error. The value behind a node is a domain
record; its class names the GraphQL type, so the interface resolves without asking the
types themselves (which live in their features).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal, cast

import strawberry
from graphql import GraphQLAbstractType, GraphQLResolveInfo

from api.domain.shared import (
    ArticleRecord,
    CategoryRecord,
    EntityRecord,
    MentionRecord,
    SourceRecord,
)
from api.domain.shared.records import StoryRecord

NodeType = Literal["Article", "Entity", "Source", "Category", "Story"]
NODE_TYPES: frozenset[str] = frozenset({"Article", "Entity", "Source", "Category", "Story"})
MAX_GLOBAL_ID_LENGTH = 512
_RECORD_TYPES: dict[type, NodeType] = {
    ArticleRecord: "Article",
    EntityRecord: "Entity",
    MentionRecord: "Entity",
    SourceRecord: "Source",
    CategoryRecord: "Category",
    StoryRecord: "Story",
}
ResolveInfo = GraphQLResolveInfo[Any]


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


@strawberry.interface(description="An object with a global id, refetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id: base64 of `Type:key`.")

    @classmethod
    def resolve_type(cls, obj: Any, _info: ResolveInfo, _type: GraphQLAbstractType) -> str | None:
        return _RECORD_TYPES.get(type(obj))
