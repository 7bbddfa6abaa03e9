"""Upserting a stream of articles in chunks, inside the caller's one transaction.

``broadsheet ingest`` reads files of any size: holding every item at once cost more memory
than the articles' own text, and one statement re-indexing a whole file for search could
outlast the statement timeout (20,000 articles on PostgreSQL did). Chunks keep both
bounded while the file stays one transaction: a refused item still rolls everything back.

A link may point at an article further down the stream, and a slug at a source, category
or entity a later line defines inline. An item whose link target or slug is neither stored
(this transaction's earlier chunks included) nor written in the same chunk is held back,
and every held item is upserted together at the end, where they resolve; one still
pointing nowhere is refused then, as the batch upsert refuses it. The
sources, categories and entities a chunk defines inline are written where they stand, in
stream order (a later definition wins), held items' included: later chunks may use them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.articles.inputs import ArticleCreate, ref_slug
from api.domain.articles.references import BatchRefs, IngestItemError, chunks
from api.domain.articles.upsert import upsert_articles
from api.domain.changes.commit import finish_write
from api.models import Article, Base, Category, Entity, Source


@dataclass(frozen=True, slots=True, eq=False)
class Keyed:
    """An item with the caller's number for it (its line), which errors report."""

    key: int
    item: ArticleCreate


@dataclass(slots=True)
class StreamTotals:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


async def upsert_stream(
    session: AsyncSession, stream: AsyncIterator[Sequence[Keyed]]
) -> StreamTotals:
    """Upsert every chunk of ``stream``; flushes, never commits.

    Raises ``IngestItemError`` whose ``index`` is the failing item's key.
    """
    totals = StreamTotals()
    held: list[Keyed] = []
    async for chunk in stream:
        ready, later = await _split_unresolved(session, chunk)
        if later:
            await _define_references(session, chunk)
            # Defined now, in order: written again from the items, the held ones' would
            # come last and could undo a later definition.
            ready = [Keyed(entry.key, _by_slug(entry.item)) for entry in ready]
            held.extend(Keyed(entry.key, _by_slug(entry.item)) for entry in later)
        await _upsert(session, ready, totals)
        session.expunge_all()  # the chunk's loaded rows are written: let them go
    await _upsert(session, held, totals)
    return totals


async def _upsert(session: AsyncSession, part: Sequence[Keyed], totals: StreamTotals) -> None:
    if not part:
        return
    try:
        outcomes = await upsert_articles(session, [entry.item for entry in part])
    except IngestItemError as exc:
        raise IngestItemError(part[exc.index].key, exc.field, exc.message) from exc
    for outcome in outcomes:
        setattr(totals, outcome.status, getattr(totals, outcome.status) + 1)


async def _define_references(session: AsyncSession, chunk: Sequence[Keyed]) -> None:
    # Only what the items define inline: their slugs are checked when they are upserted.
    items = [entry.item for entry in chunk]
    refs = await BatchRefs.load(session, items, check=False)
    await refs.write(session, items)
    await finish_write(session, [*refs.sources.changes(), *refs.entities.changes()])


def _by_slug(item: ArticleCreate) -> ArticleCreate:
    """``item`` naming its sources, categories and entities by slug only."""
    update: dict[str, Any] = {}
    if not isinstance(item.source, str):
        update["source"] = item.source.slug
    if item.category is not None and not isinstance(item.category, str):
        update["category"] = item.category.slug
    if any(not isinstance(m.entity, str) for m in item.mentions):
        update["mentions"] = [
            m.model_copy(update={"entity": ref_slug(m.entity)}) for m in item.mentions
        ]
    return item.model_copy(update=update) if update else item


async def _split_unresolved(
    session: AsyncSession, chunk: Sequence[Keyed]
) -> tuple[list[Keyed], list[Keyed]]:
    """(items whose references and link targets all exist or come with them, items to hold
    back: one naming a source, category or entity that only a later line defines, or
    linking to an article of a later line)."""
    unknown = await _unknown_slugs(session, [entry.item for entry in chunk])
    urls = {entry.item.url for entry in chunk}
    outside = sorted({ln.url for entry in chunk for ln in entry.item.links} - urls)
    stored = await _stored_urls(session, outside)
    ready = [entry for entry in chunk if not (_slugs(entry.item) & unknown)]
    while True:  # holding an item back may strand an item linking to it: until none left
        here = {entry.item.url for entry in ready}
        later = [
            entry
            for entry in ready
            if any(ln.url not in here and ln.url not in stored for ln in entry.item.links)
        ]
        if not later:
            return ready, [entry for entry in chunk if entry.item.url not in here]
        held = {id(entry) for entry in later}
        ready = [entry for entry in ready if id(entry) not in held]


def _slugs(item: ArticleCreate) -> set[tuple[type[Base], str]]:
    """The references ``item`` makes by slug alone."""
    named: set[tuple[type[Base], str]] = set()
    if isinstance(item.source, str):
        named.add((Source, item.source))
    if isinstance(item.category, str):
        named.add((Category, item.category))
    named.update((Entity, m.entity) for m in item.mentions if isinstance(m.entity, str))
    return named


async def _unknown_slugs(
    session: AsyncSession, items: Sequence[ArticleCreate]
) -> set[tuple[type[Base], str]]:
    """References by slug that neither a stored row nor an inline definition here answers."""
    defined: set[tuple[type[Base], str]] = set()
    named: set[tuple[type[Base], str]] = set()
    for item in items:
        named |= _slugs(item)
        if not isinstance(item.source, str):
            defined.add((Source, item.source.slug))
        if item.category is not None and not isinstance(item.category, str):
            defined.add((Category, item.category.slug))
        defined.update(
            (Entity, m.entity.slug) for m in item.mentions if not isinstance(m.entity, str)
        )
    wanted = named - defined
    found: set[tuple[type[Base], str]] = set()
    for model in (Source, Category, Entity):
        slugs = sorted(slug for kind, slug in wanted if kind is model)
        for part in chunks(slugs):
            rows = await session.scalars(select(model.slug).where(model.slug.in_(part)))
            found.update((model, slug) for slug in rows)
    return wanted - found


async def _stored_urls(session: AsyncSession, urls: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(urls):
        found.update(await session.scalars(select(Article.url).where(Article.url.in_(part))))
    return found
