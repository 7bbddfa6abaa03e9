"""Article JSON of a caller's shape, written by the database: keys, order and nesting chosen
by the caller (a GraphQL selection), values written as the API serializes them.

A shape is a tuple of ``(key, value)`` pairs; a value is a column of the object's table, a
constant, a global id, or a nested object or list with a shape of its own. The caller
builds shapes from names it validated; every column is checked against the table's own
list here, so nothing a client sends reaches the SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from api.domain.shared import json_sql

# How a column is written: as stored, an enum's name (upper case), a timestamp, a float,
# or a stored JSON value.
Kind = Literal["plain", "enum", "time", "float", "json"]
Table = Literal["article", "source", "category", "entity", "mention", "link"]

# Per table: the columns a shape may read, with their kind.
COLUMNS: dict[Table, dict[str, Kind]] = {
    "article": {
        "public_id": "plain", "slug": "plain", "title": "plain", "url": "plain",
        "author": "plain", "published_at": "time", "created_at": "time",
        "updated_at": "time", "image_url": "plain", "image_credit": "plain",
        "sentiment": "enum", "sentiment_score": "float", "importance": "plain",
        "summary": "plain", "language": "plain", "version": "plain",
        "key_takeaways": "json", "analysis": "json",
    },
    "source": {"slug": "plain", "name": "plain", "homepage_url": "plain", "feed_url": "plain",
               "logo_url": "plain"},
    "category": {"slug": "plain", "name": "plain", "icon": "plain"},
    "entity": {"slug": "plain", "name": "plain", "type": "enum", "aliases": "json",
               "ticker": "plain", "wikidata_id": "plain", "homepage_url": "plain",
               "description": "plain"},
    "mention": {"salience": "float", "sentiment": "enum"},
    "link": {"kind": "enum", "score": "float"},
}  # fmt: skip
# The key of each node type's global id: base64 of "Type:key".
GLOBAL_KEYS: dict[Table, tuple[str, str]] = {
    "article": ("Article", "public_id"),
    "source": ("Source", "slug"),
    "category": ("Category", "slug"),
    "entity": ("Entity", "slug"),
}


@dataclass(frozen=True, slots=True)
class _Scope:
    """The SQL names of the rows a shape reads at one level of nesting: the top article is
    ``articles`` (joined to ``sources`` and ``categories``); a linked article one level
    down is ``t1`` (``ts1``, ``tc1``), and so on, so nested subqueries never collide."""

    depth: int = 0

    def row(self, table: Table) -> str:
        d = self.depth
        if d == 0:
            top = {"article": "articles", "source": "sources", "category": "categories"}
            if table in top:
                return top[table]
        names = {"article": "t", "source": "ts", "category": "tc", "entity": "e",
                 "mention": "m", "link": "l"}  # fmt: skip
        return f"{names[table]}{d}"

    def down(self) -> _Scope:
        return _Scope(self.depth + 1)


@dataclass(frozen=True, slots=True)
class Column:
    name: str


@dataclass(frozen=True, slots=True)
class Constant:
    """A JSON literal, e.g. a type name."""

    json: str


@dataclass(frozen=True, slots=True)
class GlobalId:
    pass


@dataclass(frozen=True, slots=True)
class Nested:
    """``source``/``category`` (objects), ``mentions`` (a list of mentions), ``entities``
    (a list of entities, optionally of one type) and ``links`` (its stored links) of an
    article; ``entity`` of a mention; ``article`` (the target) of a link."""

    relation: Literal["source", "category", "mentions", "entities", "entity", "links", "article"]
    shape: Shape
    entity_type: str | None = None


Value = Column | Constant | GlobalId | Nested
Shape = tuple[tuple[str, Value], ...]
_NESTED_TABLE: dict[str, Table] = {
    "source": "source",
    "category": "category",
    "mentions": "mention",
    "entities": "entity",
    "entity": "entity",
    "links": "link",
    "article": "article",
}
_ALLOWED: dict[Table, frozenset[str]] = {
    "article": frozenset({"source", "category", "mentions", "entities", "links"}),
    "mention": frozenset({"entity"}),
    "link": frozenset({"article"}),
}


def _column(dialect: str, scope: _Scope, table: Table, name: str) -> str:
    kind = COLUMNS[table].get(name)
    if kind is None:
        raise ValueError(f"{table} has no column {name!r} a shape may read")
    sql = f"{scope.row(table)}.{name}"
    match kind:
        case "enum":
            return f"upper({sql})" if dialect == json_sql.SQLITE else f"upper({sql}::text)"
        case "time":
            return json_sql.time(dialect, sql)
        case "float":
            return json_sql.number(dialect, sql)
        case "json":
            return json_sql.stored(dialect, sql)
        case _:
            return sql


def _global_id(dialect: str, scope: _Scope, table: Table) -> str:
    type_name, key = GLOBAL_KEYS[table]
    column = f"{scope.row(table)}.{key}"
    if dialect == json_sql.SQLITE:
        return f"broadsheet_global_id('{type_name}', {column})"
    # base64 breaks lines every 76 characters; global ids are one line.
    return (
        f"translate(encode(convert_to('{type_name}:' || {column}, 'UTF8'), 'base64'), E'\\n', '')"
    )


def _pairs(dialect: str, scope: _Scope, table: Table, shape: Shape) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for key, value in shape:
        if not key.isidentifier():
            raise ValueError(f"not a plain key: {key!r}")
        match value:
            case Column(name):
                pairs[key] = _column(dialect, scope, table, name)
            case Constant(text):
                if "'" in text:
                    raise ValueError(f"not a plain constant: {text!r}")
                pairs[key] = f"json('{text}')" if dialect == json_sql.SQLITE else f"'{text}'::json"
            case GlobalId():
                pairs[key] = _global_id(dialect, scope, table)
            case Nested():
                if value.relation not in _ALLOWED.get(table, frozenset()):
                    raise ValueError(f"{table} has no relation {value.relation!r}")
                pairs[key] = _nested(dialect, scope, value)
    return pairs


def _nested(dialect: str, scope: _Scope, value: Nested) -> str:
    table = _NESTED_TABLE[value.relation]
    if value.relation in ("source", "entity", "article"):
        return json_sql.obj(dialect, _pairs(dialect, scope, table, value.shape))
    if value.relation == "category":
        body = json_sql.obj(dialect, _pairs(dialect, scope, "category", value.shape))
        row = scope.row("category")
        return json_sql.nested(dialect, f"CASE WHEN {row}.id IS NULL THEN NULL ELSE {body} END")
    # A list: each element's JSON is built in a correlated subquery, aggregated in order.
    inner = scope.down()
    article = scope.row("article")
    if value.relation == "links":
        link, target = inner.row("link"), inner.row("article")
        source, category = inner.row("source"), inner.row("category")
        element = json_sql.obj(dialect, _pairs(dialect, inner, "link", value.shape))
        rest = (
            f"FROM article_links AS {link} JOIN articles AS {target} "
            f"ON {target}.id = {link}.to_article_id "
            f"JOIN sources AS {source} ON {source}.id = {target}.source_id "
            f"LEFT JOIN categories AS {category} ON {category}.id = {target}.category_id "
            f"WHERE {link}.from_article_id = {article}.id"
        )
        # Strongest first, unscored last, newest target first: the loaders' order.
        order = (
            f"{link}.score IS NULL, {link}.score DESC, {target}.published_at DESC, {target}.id DESC"
        )
        return json_sql.elements(dialect, element, rest, order)
    mention, entity = scope.row("mention"), scope.row("entity")
    element = json_sql.obj(dialect, _pairs(dialect, scope, table, value.shape))
    rest = (
        f"FROM {json_sql.mentioned_entities(dialect, mention, entity)} "
        f"WHERE {mention}.article_id = {article}.id"
    )
    if value.entity_type is not None:
        if value.entity_type not in _ENTITY_TYPES:
            raise ValueError(f"not an entity type: {value.entity_type!r}")
        rest += f" AND {entity}.type = '{value.entity_type}'"
    # Most salient first, as the loaders and the REST documents order mentions.
    return json_sql.elements(dialect, element, rest, f"{mention}.salience DESC, {entity}.slug")


_ENTITY_TYPES = frozenset(
    {"company", "person", "organization", "country", "cryptocurrency", "product", "topic"}
)


def article_json(dialect: str, shape: Shape) -> str:
    """SQL for one article's JSON object (the row ``articles`` joined to ``sources`` and,
    outer, ``categories``), as text."""
    top = _Scope()
    return json_sql.as_text(dialect, json_sql.obj(dialect, _pairs(dialect, top, "article", shape)))
