"""Feed pages of a caller's shape assembled from typed rows, for PostgreSQL.

On PostgreSQL the JSON functions cost more than the query: ``json_build_object`` looks up
every argument's type on every call (about 1.5 microseconds a field, over a thousand
fields a page), while rows travel in the binary protocol. So where a shape holds no
stored links, the page's statement returns typed columns (each article's mentions as an
array of rows) and Python builds each item with a function generated once per shape
(``_Code``), written with orjson. The values are written as ``feed.shapes`` writes them in SQL (the
same property test holds both paths to standard execution).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import String, bindparam, func, literal_column, select

from api.db import Reads
from api.db.direct import AnySelect
from api.domain.feed.shapes import (
    COLUMNS,
    GLOBAL_KEYS,
    Column,
    Constant,
    GlobalId,
    Nested,
    Shape,
    Table,
)
from api.domain.shared import json_sql
from api.domain.stories.json import article_story
from api.models import Entity, Mention

Builder = Callable[[Sequence[Any], Sequence[Sequence[Any]]], dict[str, Any]]


class NotAssembled(Exception):
    """The shape holds something only the database's JSON writes (stored links)."""


def _stored_json(value: Any) -> Any:
    # The raw driver gives JSONB as text; SQLAlchemy's asyncpg connections decode it.
    return orjson.loads(value) if isinstance(value, str) else value


def _sqlite_time(stored: str) -> str:
    # SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; written as json_sql.time writes it.
    fraction = stored[20:]
    if fraction in ("", "000000"):
        return f"{stored[:10]}T{stored[11:19]}+00:00"
    return f"{stored[:10]}T{stored[11:19]}.{fraction}+00:00"


def _global_id(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


@dataclass
class _Columns:
    """The select list being collected, each distinct expression once."""

    prefix: dict[str, str]  # table -> SQL row name
    expressions: list[str]
    listed: bool = False  # some shape lists mentions or entities (even with no column)

    def index(self, table: Table, name: str) -> int:
        return self.raw(f"{self.prefix[table]}.{name}")

    def raw(self, sql: str) -> int:
        """The position of an expression of our own (never a client's text)."""
        if sql not in self.expressions:
            self.expressions.append(sql)
        return self.expressions.index(sql)


_ARTICLE_ROWS = {"article": "articles", "source": "sources", "category": "categories"}
_MENTION_ROWS = {"mention": "m", "entity": "e"}


@dataclass
class _Code:
    """Python source for a builder, written from checked shapes: keys are identifiers
    (written with repr), positions are integers, and every other value (constants, the
    wanted entity type) is passed by name in ``names``, never written into the source."""

    dialect: str
    articles: _Columns
    mentions: _Columns
    names: dict[str, Any]

    def name_for(self, value: Any) -> str:
        name = f"_v{len(self.names)}"
        self.names[name] = value
        return name

    def value(self, table: Table, name: str, *, enums_as_stored: bool = False) -> str:
        kind = COLUMNS[table].get(name)
        if kind is None:
            raise ValueError(f"{table} has no column {name!r} a shape may read")
        row, columns = ("m", self.mentions) if table in _MENTION_ROWS else ("r", self.articles)
        item = f"{row}[{columns.index(table, name)}]"
        match kind:
            case "enum" if not enums_as_stored:
                return f"(None if {item} is None else {item}.upper())"
            case "time":
                if self.dialect == "sqlite":
                    return f"(None if {item} is None else _sqlite_time({item}))"
                return f"(None if {item} is None else {item}.isoformat())"
            case "json":
                return f"(None if {item} is None else _stored_json({item}))"
            case _:
                return item  # plain values and floats are written as they come

    def object(self, table: Table, shape: Shape) -> str:
        fields = []
        for key, value in shape:
            if not key.isidentifier():
                raise ValueError(f"not a plain key: {key!r}")
            fields.append(f"{key!r}: {self._field(table, value)}")
        return "{" + ", ".join(fields) + "}"

    def _field(self, table: Table, value: Column | Constant | GlobalId | Nested) -> str:
        match value:
            case Column(name):
                return self.value(table, name)
            case Constant(text):
                return self.name_for(orjson.loads(text))
            case GlobalId():
                type_name, column = GLOBAL_KEYS[table]
                return f"_global_id({self.name_for(type_name)}, {self.value(table, column)})"
            case Nested():
                return self._nested(table, value)
        raise NotAssembled(repr(value))

    def _nested(self, table: Table, value: Nested) -> str:
        relation = value.relation
        if relation == "source" and table == "article":
            return self.object("source", value.shape)
        if relation == "category" and table == "article":
            present = self.articles.index("category", "id")
            return f"(None if r[{present}] is None else {self.object('category', value.shape)})"
        if relation == "entity" and table == "mention":
            return self.object("entity", value.shape)
        if relation in ("mentions", "entities") and table == "article":
            self.mentions.listed = True
            element = self.object("mention" if relation == "mentions" else "entity", value.shape)
            if value.entity_type is None:
                return f"[{element} for m in ms]"
            of_type = self.mentions.index("entity", "type")
            return f"[{element} for m in ms if m[{of_type}] == {self.name_for(value.entity_type)}]"
        raise NotAssembled(f"{table}.{relation}")

    def builder(self, expression: str) -> Builder:
        names = {
            "_stored_json": _stored_json,
            "_global_id": _global_id,
            "_sqlite_time": _sqlite_time,
            **self.names,
        }
        built: Builder = eval(f"lambda r, ms: {expression}", names)  # noqa: S307 (see _Code)
        return built


@dataclass(frozen=True, slots=True)
class Assembly:
    """How a set of shapes is read and written: the article columns the page statement
    selects, where the articles' mentions come from when a shape lists them (PostgreSQL:
    an array of rows per article, in the page's statement; SQLite: a second statement,
    which costs no round trip there), and a builder per shape."""

    article_columns: tuple[str, ...]
    builders: tuple[Builder, ...]
    mentions_at: int | None = None  # PostgreSQL: the column of the mentions array
    mention_statement: AnySelect | None = None  # SQLite: the page's mentions, in order

    async def items(self, reads: Reads, page: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """Each row as one JSON-ready object per shape (the caller writes the response's
        JSON once, around all of them)."""
        builders = self.builders
        return [
            [build(row, mentions) for build in builders]
            for row, mentions in await self._with_mentions(reads, page)
        ]

    async def array(self, reads: Reads, page: Sequence[Sequence[Any]]) -> bytes:
        """The page as one JSON array of the first shape's objects, written at once."""
        build = self.builders[0]
        return orjson.dumps(
            [build(row, mentions) for row, mentions in await self._with_mentions(reads, page)]
        )

    async def _with_mentions(
        self, reads: Reads, page: Sequence[Sequence[Any]]
    ) -> list[tuple[Sequence[Any], Sequence[Sequence[Any]]]]:
        if self.mention_statement is not None and page:
            ids = orjson.dumps([row[-1] for row in page]).decode()  # keys end page rows
            mentions: dict[int, list[Sequence[Any]]] = {row[-1]: [] for row in page}
            for mention in await reads.rows(self.mention_statement, {"ids": ids}):
                mentions[mention[-1]].append(mention)
            return [(row, mentions[row[-1]]) for row in page]
        at = self.mentions_at
        return [(row, () if at is None else row[at]) for row in page]


@functools.lru_cache(maxsize=256)
def assembly(dialect: str, shapes: tuple[Shape, ...]) -> Assembly:
    """The plan for these shapes; NotAssembled when one holds stored links."""
    code = _new_code(dialect)
    builders = tuple(code.builder(code.object("article", shape)) for shape in shapes)
    return _assembled(code, builders)


def _new_code(dialect: str) -> _Code:
    return _Code(dialect, _Columns(dict(_ARTICLE_ROWS), []), _Columns(dict(_MENTION_ROWS), []), {})


_MENTION = Mention.__table__.alias("m")
_ENTITY = Entity.__table__.alias("e")


def _assembled(code: _Code, builders: tuple[Builder, ...]) -> Assembly:
    columns = list(code.articles.expressions)
    if not code.mentions.listed:
        return Assembly(tuple(columns), builders)
    # Most salient first, then by entity slug: the order ``feed.shapes`` writes lists in.
    fields = ", ".join(code.mentions.expressions)  # column names checked by _Code.value
    if code.dialect == "sqlite":
        # The article's key last: the rows are grouped by it.
        statement: AnySelect = (
            select(*(literal_column(f) for f in code.mentions.expressions), _MENTION.c.article_id)
            .select_from(_MENTION.join(_ENTITY, _ENTITY.c.id == _MENTION.c.entity_id))
            .where(_MENTION.c.article_id.in_(_PAGE_KEYS))
            .order_by(_MENTION.c.article_id, _MENTION.c.salience.desc(), _ENTITY.c.slug)
        )
        return Assembly(tuple(columns), builders, mention_statement=statement)
    # On PostgreSQL a second statement costs a round trip more than these sorts of a few
    # rows each.
    array = (
        f"ARRAY(SELECT ROW({fields}) FROM {json_sql.mentioned_entities(code.dialect)} "  # noqa: S608
        "WHERE m.article_id = articles.id ORDER BY m.salience DESC, e.slug)"
    )
    columns.append(array)
    return Assembly(tuple(columns), builders, mentions_at=len(columns) - 1)


# The page's article keys, bound as one JSON array: the statement's text never changes.
_PAGE_KEYS = (
    select(literal_column("value"))
    .select_from(func.json_each(bindparam("ids", type_=String)))
    .scalar_subquery()
)


# The REST feed item (``feed.documents``): its objects' keys, in the order it writes them.
_REST_OBJECTS: dict[str, tuple[Table, tuple[str, ...]]] = {
    "source": ("source", ("slug", "name", "homepage_url", "feed_url", "logo_url")),
    "category": ("category", ("slug", "name", "icon")),
}
_REST_ENTITY: tuple[tuple[str, Table], ...] = (
    ("slug", "entity"),
    ("name", "entity"),
    ("type", "entity"),
    ("salience", "mention"),
    ("sentiment", "mention"),
)


@functools.lru_cache(maxsize=256)
def feed_item_assembly(dialect: str, names: tuple[str, ...]) -> Assembly:
    """The plan for REST feed items carrying these fields, in this order ("id" first);
    values as the REST documents write them (enums as stored, lower case)."""
    code = _new_code(dialect)
    fields = []
    for name in names:
        if name in _REST_OBJECTS:
            table, keys = _REST_OBJECTS[name]
            inner = _rest_object(code, table, keys)
            if table == "category":
                inner = f"(None if r[{code.articles.index('category', 'id')}] is None else {inner})"
            fields.append(f"{name!r}: {inner}")
        elif name == "story":
            # Written by the database (the story's row, its sources stored on it), read back.
            at = code.articles.raw(json_sql.as_text(dialect, article_story(dialect)))
            fields.append(f"{name!r}: (None if r[{at}] is None else _stored_json(r[{at}]))")
        elif name == "entities":
            code.mentions.listed = True
            fields.append(f"{name!r}: [{_rest_object(code, None, _REST_ENTITY)} for m in ms]")
        else:
            column = "public_id" if name == "id" else name
            fields.append(f"{name!r}: {code.value('article', column, enums_as_stored=True)}")
    return _assembled(code, (code.builder("{" + ", ".join(fields) + "}"),))


def _rest_object(code: _Code, table: Table | None, keys: tuple[Any, ...]) -> str:
    """A REST object's dict literal: ``keys`` are column names of ``table``, or (name,
    table) pairs for the entity objects that merge a mention and its entity."""
    fields = []
    for key in keys:
        name, of = (key, table) if table is not None else key
        fields.append(f"{name!r}: {code.value(of, name, enums_as_stored=True)}")
    return "{" + ", ".join(fields) + "}"
