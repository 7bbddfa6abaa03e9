"""Candidate lookup for many fresh articles at once: one statement, whatever their times.

A fresh article's candidates are the articles holding one of its keys (salient entity,
title topic term) published within the window of it. For one article an index probe per
key is cheap; for a chunk of a bulk load spread over months (a backfill) probes bounded by
the chunk's overall time span read every key of its entities in that span. Here each key
goes with its own time ranges as a row of a probe set passed as one parameter (a JSON
array SQLite walks with ``json_each``, arrays PostgreSQL ``unnest``s), joined to the key
index: the database returns exactly the matching articles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import orjson
from sqlalchemy import DateTime, Integer, String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.bulk import sqlite_time
from api.db.database import fetch_rows

Key = tuple[int, str]
Range = tuple[dt.datetime, dt.datetime]

# CROSS JOIN: SQLite walks the probes and seeks the key index for each, never the reverse.
_SQLITE = text(
    "SELECT DISTINCT k.article_id FROM json_each(:probes) AS p "
    "CROSS JOIN story_entity_keys AS k "
    "WHERE k.entity_id = p.value ->> 0 AND k.term = p.value ->> 1 "
    "AND k.published_at BETWEEN p.value ->> 2 AND p.value ->> 3"
)
_POSTGRESQL = text(
    "SELECT DISTINCT k.article_id "
    "FROM unnest(:entities, :terms, :los, :his) AS p(entity_id, term, lo, hi) "
    "JOIN story_entity_keys AS k ON k.entity_id = p.entity_id AND k.term = p.term "
    "AND k.published_at BETWEEN p.lo AND p.hi"
).bindparams(
    bindparam("entities", type_=ARRAY(Integer)),
    bindparam("terms", type_=ARRAY(String)),
    bindparam("los", type_=ARRAY(DateTime(timezone=True))),
    bindparam("his", type_=ARRAY(DateTime(timezone=True))),
)


def ranges(moments: Sequence[dt.datetime], window: dt.timedelta) -> list[Range]:
    """The union of ``moment ± window`` over ``moments``, as sorted disjoint ranges."""
    merged: list[Range] = []
    for moment in sorted(moments):
        lo, hi = moment - window, moment + window
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


async def articles_near(
    session: AsyncSession, times: Mapping[Key, Sequence[dt.datetime]], window: dt.timedelta
) -> set[int]:
    """Ids of stored articles holding a key of ``times`` within ``window`` of one of its
    moments."""
    probes = [
        (entity_id, term, lo, hi)
        for (entity_id, term), moments in sorted(times.items())
        for lo, hi in ranges(moments, window)
    ]
    if not probes:
        return set()
    if session.get_bind().dialect.name == "sqlite":
        encoded = orjson.dumps(
            [(e, t, sqlite_time(lo), sqlite_time(hi)) for e, t, lo, hi in probes]
        )
        rows = await fetch_rows(session, _SQLITE, {"probes": encoded.decode()})
    else:
        entities, terms, los, his = (list(column) for column in zip(*probes, strict=True))
        params = {"entities": entities, "terms": terms, "los": los, "his": his}
        rows = await fetch_rows(session, _POSTGRESQL, params)
    return {row[0] for row in rows}
