"""SQL that makes the database write JSON exactly as orjson writes our records.

Both dialects: SQLite's JSON1 and PostgreSQL's JSON functions. Values come out as orjson
writes them from Python: timestamps as ISO 8601 in UTC with microseconds only when they
are not zero, floats as their shortest round-trip text keeping a ``.0``, stored JSON
embedded as JSON. Fragments name the tables as SQLAlchemy renders them (``articles``,
``sources``, ``categories``), so they compose with Core selects over those tables.
"""

from __future__ import annotations

SQLITE = "sqlite"


def obj(dialect: str, pairs: dict[str, str]) -> str:
    """A JSON object from key -> SQL expression pairs (keys are our own literals)."""
    function = "json_object" if dialect == SQLITE else "json_build_object"
    arguments = ", ".join(f"'{key}', {value}" for key, value in pairs.items())
    return f"{function}({arguments})"


def time(dialect: str, column: str) -> str:
    if dialect == SQLITE:
        # Stored as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC.
        return (
            f"substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || CASE WHEN "
            f"substr({column}, 21) IN ('', '000000') THEN '' "
            f"ELSE '.' || substr({column}, 21) END || '+00:00'"
        )
    utc = f"({column} AT TIME ZONE 'UTC')"
    seconds = 'YYYY-MM-DD"T"HH24:MI:SS'
    return (
        f"CASE WHEN date_trunc('second', {column}) = {column} "
        f"THEN to_char({utc}, '{seconds}\"+00:00\"') "
        f"ELSE to_char({utc}, '{seconds}.US\"+00:00\"') END"
    )


def micros(dialect: str, column: str) -> str:
    """A timestamp as whole microseconds since 1970 (a feed cursor's time part), exact."""
    if dialect == SQLITE:
        # Whole seconds (floored) from strftime, plus the stored fraction, if any.
        return (
            f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000 "
            f"+ CAST(substr({column} || '.000000', 21, 6) AS INTEGER))"
        )
    # extract() is exact (numeric) on PostgreSQL 14 and later; on older ones the double it
    # gives is within half a microsecond, which the cast rounds away.
    return f"CAST(round(extract(epoch FROM {column}) * 1000000) AS bigint)"


def number(dialect: str, column: str) -> str:
    if dialect == SQLITE:
        # SQLite's own float text keeps 15 digits and loses precision. A float equal to
        # k / 10**6 is the double nearest that decimal, so printf's 15 digits (trailing
        # zeros dropped) are its shortest text; anything else goes to Python's repr through
        # broadsheet_json_number (api.db.database). Below 1e-4 both would switch to exponents,
        # written differently, so Python takes those too.
        return (
            f"CASE WHEN {column} IS NULL THEN NULL "
            f"WHEN ({column} = 0 OR abs({column}) >= 1e-4) AND abs({column}) < 1e9 "
            f"AND round({column} * 1e6) / 1e6 = {column} "
            f"THEN json(printf('%!.15g', {column})) "
            f"ELSE json(broadsheet_json_number({column})) END"
        )
    # PostgreSQL writes 1.0 as 1: a JSON number either way, but orjson keeps the ".0".
    return (
        f"CASE WHEN {column} = trunc({column}) AND abs({column}) < 1e15 "
        f"THEN to_json({column}::numeric(17, 1)) ELSE to_json({column}) END"
    )


def stored(dialect: str, column: str) -> str:
    """A stored JSON column, embedded as JSON (SQLite keeps it as text)."""
    return f"json({column})" if dialect == SQLITE else column


def nested(dialect: str, expression: str) -> str:
    """A JSON value computed by CASE or a subquery, kept JSON inside SQLite's objects
    (which would embed it as a string)."""
    return f"json({expression})" if dialect == SQLITE else expression


def array(
    dialect: str, columns: dict[str, str], rest: str, order_by: str, *, json_valued: set[str]
) -> str:
    """A JSON array of objects, one per row of ``SELECT <columns> <rest>``, in ``order_by``
    order; ``[]`` for no rows. ``json_valued`` names the columns whose expressions give JSON
    (numbers, objects) rather than plain values."""
    selected = ", ".join(f"{expression} AS {key}" for key, expression in columns.items())
    rows = f"SELECT {selected} {rest} ORDER BY {order_by}"
    if dialect == SQLITE:
        # A subquery's columns lose SQLite's JSON marking: json() restores it, or a number
        # or an object would be embedded as a string. json_group_array keeps its input's
        # order: an ordered subquery is never flattened into an aggregate (SQLite's
        # flattening rule 16), so the order below is the output's.
        fields = obj(
            dialect, {key: f"json({key})" if key in json_valued else key for key in columns}
        )
        return f"(SELECT json_group_array({fields}) FROM ({rows}))"  # noqa: S608 (ours)
    # json_agg over a subquery's rows writes each as an object keyed by its column names:
    # cheaper than a json_build_object per row.
    return f"(SELECT coalesce(json_agg(x), '[]'::json) FROM ({rows}) AS x)"  # noqa: S608


def elements(dialect: str, element: str, rest: str, order_by: str) -> str:
    """A JSON array of ``element`` (a JSON expression) for each row of ``SELECT ... rest``,
    in ``order_by`` order; ``[]`` for no rows."""
    if dialect == SQLITE:
        # Ordered subquery, as in ``array``: json_group_array keeps its input's order.
        rows = f"SELECT {element} AS v {rest} ORDER BY {order_by}"
        return f"(SELECT json_group_array(json(v)) FROM ({rows}))"  # noqa: S608 (ours)
    return f"(SELECT coalesce(json_agg({element} ORDER BY {order_by}), '[]'::json) {rest})"


def source(dialect: str) -> str:
    columns = ("slug", "name", "homepage_url", "feed_url", "logo_url")
    return obj(dialect, {column: f"sources.{column}" for column in columns})


def category(dialect: str) -> str:
    columns = ("slug", "name", "icon")
    body = obj(dialect, {column: f"categories.{column}" for column in columns})
    return nested(dialect, f"CASE WHEN categories.id IS NULL THEN NULL ELSE {body} END")


def mentioned_entities(dialect: str, mention: str = "m", entity: str = "e") -> str:
    """``mentions AS <mention>`` with each one's entity as ``<entity>``, for a subquery run
    per article (its WHERE names the article).

    On PostgreSQL the entity is read by its key, one index probe per mention: with a small
    entities table the planner prefers hashing the whole table, again for every article of
    a page, which cost the feed page twice its time (1.16 ms against 0.58 at 10k articles).
    ``OFFSET 0`` keeps the lateral subquery from being flattened into that join.
    """
    if dialect == "postgresql":
        return (
            f"mentions AS {mention} CROSS JOIN LATERAL (SELECT * FROM entities "  # noqa: S608
            f"WHERE entities.id = {mention}.entity_id OFFSET 0) AS {entity}"
        )
    return f"mentions AS {mention} JOIN entities AS {entity} ON {entity}.id = {mention}.entity_id"


def mentions(dialect: str) -> str:
    """The article's mentions as the REST ``entities`` list, most salient first."""
    return array(
        dialect,
        {
            "slug": "e.slug",
            "name": "e.name",
            "type": "e.type",
            "salience": number(dialect, "m.salience"),
            "sentiment": "m.sentiment",
        },
        f"FROM {mentioned_entities(dialect)} WHERE m.article_id = articles.id",
        "m.salience DESC, e.slug",
        json_valued={"salience"},
    )


def links(dialect: str) -> str:
    """The article's stored outgoing links as REST ``related_links``, in
    ``articles.links_statement``'s order."""
    target = obj(
        dialect,
        {
            "id": "t.public_id",
            "slug": "t.slug",
            "title": "t.title",
            "url": "t.url",
            "published_at": time(dialect, "t.published_at"),
            "source": obj(dialect, {"slug": "s.slug", "name": "s.name"}),
        },
    )
    return array(
        dialect,
        {"kind": "l.kind", "score": number(dialect, "l.score"), "article": target},
        "FROM article_links AS l JOIN articles AS t ON t.id = l.to_article_id "
        "JOIN sources AS s ON s.id = t.source_id WHERE l.from_article_id = articles.id",
        "l.score IS NULL, l.score DESC, t.published_at DESC, t.id DESC",
        json_valued={"score", "article"},
    )


def as_text(dialect: str, expression: str) -> str:
    # Drivers would otherwise decode PostgreSQL's json into Python objects.
    return expression if dialect == SQLITE else f"{expression}::text"
