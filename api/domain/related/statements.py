"""The statements behind related articles (``api.domain.related.service`` scores their rows).

Each is built once per shape and cached with bound parameters: building statements this
size costs SQLAlchemy more than SQLite takes to run them. Rows come back as Core tuples
with times as POSIX-second floats computed by the database: per row ORM and datetime
processing cost more than the scoring itself.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    ScalarSelect,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from api.domain.shared.article_rows import ref_columns
from api.models import Article, Entity, Mention, Source

# Articles taken per shared entity on each side of the seed (see api.domain.related.service).
CANDIDATES_PER_SIDE = 25
_JULIAN_UNIX_EPOCH = 2_440_587.5
_DAY = 86_400.0


def epoch(dialect: str, column: Any) -> Any:
    """POSIX seconds as a float, computed by the database."""
    if dialect == "sqlite":
        # Stored as UTC text; a julianday double resolves ~40 µs at these dates.
        return (func.julianday(column, type_=Float) - _JULIAN_UNIX_EPOCH) * _DAY
    return cast(func.extract("epoch", column), Float)


def _pivot() -> ScalarSelect[int]:
    """The first article published at or after ``published_after``, by time (O(log n)).

    Ids follow publication time (see api.domain.related.service), so the ids from here on are the
    ones that qualify: candidate ranges are clipped to them, and the candidates themselves
    are then filtered on ``published_at`` exactly. Walking the mentions while checking
    each article's time instead was slow for a seed older than the cut-off.
    """
    return (
        select(Article.id)
        .where(Article.published_at >= bindparam("published_after"))
        .order_by(Article.published_at, Article.id)
        .limit(1)
        .scalar_subquery()
    )


def _nearest(seed: Any, entity: Any, side: int, published_after: bool) -> ScalarSelect[int]:
    """The id of the CANDIDATES_PER_SIDE-th article mentioning the entity on one side."""
    mention = aliased(Mention)
    stmt = select(mention.article_id).where(mention.entity_id == entity)
    if side < 0:
        stmt = stmt.where(mention.article_id < seed).order_by(mention.article_id.desc())
    else:
        stmt = stmt.where(mention.article_id > seed).order_by(mention.article_id)
    if published_after and side > 0:
        # From the pivot on (an index condition): a seed older than the cut-off does not
        # step through the mentions in between. Below the seed, the caller clips to it.
        stmt = stmt.where(mention.article_id >= _pivot())
    return stmt.offset(CANDIDATES_PER_SIDE - 1).limit(1).scalar_subquery()


@functools.cache
def seeds_statement(dialect: str, by_key: bool, entity_type: bool, published_after: bool) -> Any:
    """Per seed and entity it mentions: the entity's weight inputs and candidate id range,
    and the lowest id worth looking at (``_pivot``; 0 without ``published_after``).

    One row per seed without (matching) mentions, its entity columns null. ``by_key``
    finds the one seed by public id or slug, as ``articles.find_article`` does.
    """
    seed = aliased(Article, name="seed")
    mention = aliased(Mention, name="seed_mention")
    # Plain outer joins: SQLite would materialise a joined subquery over all mentions.
    mention_join = mention.article_id == seed.id
    if entity_type:
        of_type = select(Entity.id).where(Entity.type == bindparam("entity_type"))
        mention_join = and_(mention_join, mention.entity_id.in_(of_type))
    stmt = (
        select(
            seed.id,
            seed.public_id,
            epoch(dialect, seed.published_at),
            select(func.max(Article.id)).scalar_subquery(),
            mention.entity_id,
            mention.salience,
            Entity.slug,
            Entity.name,
            type_coerce(Entity.type, String),
            Entity.article_count,
            # Null: fewer than CANDIDATES_PER_SIDE on that side, so no bound is needed.
            _nearest(seed.id, mention.entity_id, -1, published_after),
            _nearest(seed.id, mention.entity_id, 1, published_after),
            _pivot() if published_after else literal(0, Integer),
        )
        .select_from(seed)
        .outerjoin(mention, mention_join)
        .outerjoin(Entity, Entity.id == mention.entity_id)
    )
    if by_key:
        key: Any = bindparam("key")
        found = (
            select(Article.id)
            .where(or_(Article.public_id == key, Article.slug == key))
            .order_by(case((Article.public_id == key, 0), else_=1))
            .limit(1)
            .scalar_subquery()
        )
        return stmt.where(seed.id == found)
    return stmt.where(seed.id.in_(bindparam("seeds", expanding=True)))


@functools.lru_cache(maxsize=256)  # one shape per number of ranges
def candidates_statement(dialect: str, ranges: int, published_after: bool) -> Any:
    """Articles mentioning entity_i with an id in [low_i, high_i], with all their mentions.

    Each candidate's mentions come by primary key, so it is scored on every entity it
    shares with its seed, not just on the one that found it.
    """
    near = aliased(Mention, name="near")
    arms = [
        and_(
            near.entity_id == bindparam(f"entity_{i}"),
            near.article_id.between(bindparam(f"low_{i}"), bindparam(f"high_{i}")),
        )
        for i in range(ranges)
    ]
    if dialect == "postgresql":
        # One SELECT per range: PostgreSQL estimates a range inside an OR as two independent
        # bounds (far too many rows) and then hash-joins every mention of the seed's
        # entities. SQLite plans the OR well, and caps UNIONs.
        union = union_all(*(select(near.article_id).where(arm) for arm in arms)).subquery()
        found = select(union.c.article_id).distinct().subquery("found")
    else:
        found = select(near.article_id).where(or_(*arms)).distinct().subquery("found")
    mention = aliased(Mention, name="mention")
    stmt = (
        select(found.c.article_id, epoch(dialect, Article.published_at))
        .add_columns(mention.entity_id, mention.salience)
        .select_from(found)
        .join(Article, Article.id == found.c.article_id)
        .join(mention, mention.article_id == found.c.article_id)
        .where(mention.entity_id.in_(bindparam("entities", expanding=True)))
    )
    if published_after:
        stmt = stmt.where(Article.published_at >= bindparam("published_after"))
    return stmt


@functools.cache
def refs_statement() -> Any:
    return (
        select(Article.id, *ref_columns(Article))
        .join(Source, Source.id == Article.source_id)
        .where(Article.id.in_(bindparam("pks", expanding=True)))
    )
