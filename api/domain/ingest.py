"""Article ingest: upsert a batch by canonical URL. The one writer of articles and links.

Round trips grow with batch size / 500, not with the number of items: every read is an
``IN (...)`` list (chunked), every semantic check runs before the first write, and new
rows go out as multi-row INSERTs (RETURNING ids). Only stored rows that really changed
are updated through the ORM. The caller owns the transaction, so an ``IngestItemError``
rolls the whole batch back.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from api.domain.changes import ChangeEntry, finish_write
from api.models import Article, ArticleLink, Base, Category, Entity, Mention, Source
from api.models.ids import new_public_id
from api.schemas.article_input import (
    ArticleCreate,
    CategoryCreate,
    EntityCreate,
    SourceCreate,
    ref_slug,
)

Status = Literal["created", "updated", "unchanged"]
IN_CHUNK = 500
SLUG_BASE_MAX = 80  # the column allows 200, but long slugs make poor URLs
# Input fields stored in the article column of the same name; the rest need resolving.
PLAIN_FIELDS = tuple(
    sorted(
        ArticleCreate.model_fields.keys()
        - {"url", "slug", "source", "category", "mentions", "links"}
    )
)

T = TypeVar("T")
Ref = TypeVar("Ref", Source, Category, Entity)
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    url: str
    public_id: str
    status: Status
    version: int = 1


class IngestItemError(Exception):
    """A semantic error in one item of a well-formed batch (unknown reference, bad link)."""

    def __init__(self, index: int, field: str, message: str) -> None:
        super().__init__(f"item {index}: {field}: {message}")
        self.index = index
        self.field = field
        self.message = message


def derive_slug(title: str, url: str) -> str:
    """``title-words-<8 hex of sha256(url)>``: readable, and stable for the same URL."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(base) > SLUG_BASE_MAX:  # cut at a word boundary when there is one
        cut = base[: SLUG_BASE_MAX + 1]
        base = cut.rsplit("-", 1)[0] if "-" in cut else base[:SLUG_BASE_MAX]
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
    return f"{base or 'article'}-{digest}"


async def upsert_articles(
    session: AsyncSession, items: Sequence[ArticleCreate]
) -> list[UpsertOutcome]:
    """Create or update ``items`` by URL; flushes, never commits. Outcomes in item order.

    A stored article is compared on the fields present in its item (mentions and links as
    sets); if all are equal nothing is written, else it is updated and its version bumped.
    """
    batch = list(items)
    if not batch:
        return []
    _check_unique_urls(batch)
    refs = await _Refs.load(session, batch)
    existing = await _load_articles(session, [item.url for item in batch])
    ids = await _load_link_targets(session, batch, existing)
    slugs = await _assign_slugs(session, batch, existing)

    # Every check passed: only writes from here on.
    await refs.write(session, batch)
    fresh = [(index, item) for index, item in enumerate(batch) if item.url not in existing]
    new_rows = [
        {"url": item.url, "public_id": new_public_id()}
        | _column_values(item, refs, slugs[index], new=True)
        for index, item in fresh
    ]
    ids |= await _insert(session, Article, new_rows, Article.url, Article.id)
    public_ids = {row["url"]: row["public_id"] for row in new_rows}
    await _insert(session, Mention, [m for _, it in fresh for m in _mentions(it, refs, ids)])
    await _insert(session, ArticleLink, [ln for _, it in fresh for ln in _links(it, ids)])

    outcomes = []
    for index, item in enumerate(batch):
        article = existing.get(item.url)
        if article is None:
            outcomes.append(UpsertOutcome(item.url, public_ids[item.url], "created"))
            continue
        changed = _assign(article, _column_values(item, refs, slugs[index], new=False))
        if "mentions" in item.model_fields_set:
            changed |= _sync_children(
                article.mentions, _mentions(item, refs, ids), ("entity_id",), Mention
            )
        if "links" in item.model_fields_set:
            changed |= _sync_children(
                article.links, _links(item, ids), ("to_article_id", "kind"), ArticleLink
            )
        if changed:
            article.version += 1  # updated_at follows through the column's onupdate
        status: Status = "updated" if changed else "unchanged"
        outcomes.append(UpsertOutcome(article.url, article.public_id, status, article.version))
    await finish_write(
        session,
        [
            *refs.sources.changes(),
            *refs.entities.changes(),
            *(
                ChangeEntry("article", outcome.status, outcome.public_id, outcome.version)
                for outcome in outcomes
                if outcome.status != "unchanged"
            ),
        ],
    )
    return outcomes


def _check_unique_urls(batch: Sequence[ArticleCreate]) -> None:
    first: dict[str, int] = {}
    for index, item in enumerate(batch):
        seen = first.setdefault(item.url, index)
        if seen != index:
            raise IngestItemError(index, "url", f"same URL as item {seen} of this batch")


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


async def _insert(
    session: AsyncSession,
    model: type[Base],
    rows: list[Row],
    key: InstrumentedAttribute[str] | None = None,
    ident: InstrumentedAttribute[int] | None = None,
) -> dict[str, int]:
    """A multi-row INSERT; with ``key`` and ``ident``, the new ids by natural key."""
    if not rows:
        return {}
    if key is None or ident is None:
        await session.execute(insert(model), rows)
        return {}
    # RETURNING pairs each id with its natural key, so the order of rows does not matter.
    result = await session.execute(insert(model).returning(key, ident), rows)
    return {natural: new_id for natural, new_id in result}


class _RefTable(Generic[Ref]):
    """One kind of reference data in a batch, by slug: stored rows and inline definitions."""

    def __init__(self, model: type[Ref], stored: dict[str, Ref], inline: set[str]) -> None:
        self.model: type[Ref] = model
        self.stored: dict[str, Ref] = stored
        self.inline = inline  # slugs defined inline somewhere in the batch
        self.new: dict[str, Row] = {}
        self.ids = {slug: row.id for slug, row in stored.items()}
        self.updated: dict[str, Ref] = {}

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        model: type[Ref],
        refs: Sequence[str | SourceCreate | CategoryCreate | EntityCreate],
    ) -> _RefTable[Ref]:
        stored: dict[str, Ref] = {}
        for chunk in _chunks(sorted({ref_slug(ref) for ref in refs})):
            for row in await session.scalars(select(model).where(model.slug.in_(chunk))):
                stored[row.slug] = row
        return cls(model, stored, {ref.slug for ref in refs if not isinstance(ref, str)})

    def knows(self, slug: str) -> bool:
        # Defined inline on any item counts, even a later one: the batch is one unit.
        return slug in self.stored or slug in self.inline

    def apply(self, data: SourceCreate | CategoryCreate | EntityCreate) -> None:
        """Merge an inline definition; called in batch order, so a later one wins."""
        # Only the fields given inline: a short reference must not wipe stored details.
        given = {name: getattr(data, name) for name in data.model_fields_set}
        row = self.stored.get(data.slug)
        if row is None:
            self.new.setdefault(data.slug, data.model_dump()).update(given)
            return
        changed = False
        for name, value in given.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        if changed and isinstance(row, Source | Entity):
            if data.slug not in self.updated:  # once per batch, however many items touch it
                row.version += 1
            self.updated[data.slug] = row

    def changes(self) -> list[ChangeEntry]:
        """Log entries for the sources and entities this batch created or changed."""
        resource = {Source: "source", Entity: "entity"}.get(self.model)
        if resource is None:
            return []
        created = [ChangeEntry(resource, "created", slug, 1) for slug in self.new]
        updated = [
            ChangeEntry(resource, "updated", slug, row.version)
            for slug, row in self.updated.items()
            if isinstance(row, Source | Entity)
        ]
        return created + updated

    async def write(self, session: AsyncSession) -> None:
        rows = list(self.new.values())
        self.ids |= await _insert(session, self.model, rows, self.model.slug, self.model.id)


@dataclass(frozen=True, slots=True)
class _Refs:
    sources: _RefTable[Source]
    categories: _RefTable[Category]
    entities: _RefTable[Entity]

    @classmethod
    async def load(cls, session: AsyncSession, batch: Sequence[ArticleCreate]) -> _Refs:
        refs = cls(
            await _RefTable.load(session, Source, [item.source for item in batch]),
            await _RefTable.load(
                session, Category, [item.category for item in batch if item.category is not None]
            ),
            await _RefTable.load(session, Entity, [m.entity for i in batch for m in i.mentions]),
        )
        for index, item in enumerate(batch):
            if isinstance(item.source, str) and not refs.sources.knows(item.source):
                raise IngestItemError(index, "source", f"no source with slug {item.source!r}")
            if isinstance(item.category, str) and not refs.categories.knows(item.category):
                raise IngestItemError(index, "category", f"no category with slug {item.category!r}")
            for k, mention in enumerate(item.mentions):
                slug = mention.entity
                if isinstance(slug, str) and not refs.entities.knows(slug):
                    raise IngestItemError(
                        index, f"mentions[{k}].entity", f"no entity with slug {slug!r}"
                    )
        return refs

    async def write(self, session: AsyncSession, batch: Sequence[ArticleCreate]) -> None:
        for item in batch:
            if isinstance(item.source, SourceCreate):
                self.sources.apply(item.source)
            if isinstance(item.category, CategoryCreate):
                self.categories.apply(item.category)
            for mention in item.mentions:
                if isinstance(mention.entity, EntityCreate):
                    self.entities.apply(mention.entity)
        for table in (self.sources, self.categories, self.entities):
            await table.write(session)


async def _load_articles(session: AsyncSession, urls: Sequence[str]) -> dict[str, Article]:
    found: dict[str, Article] = {}
    for chunk in _chunks(urls):
        stmt = (
            select(Article)
            .where(Article.url.in_(chunk))
            .options(selectinload(Article.mentions), selectinload(Article.links))
            # PostgreSQL: no concurrent writer slips in between compare and update.
            .with_for_update(of=Article)
        )
        for article in await session.scalars(stmt):
            found[article.url] = article
    return found


async def _load_link_targets(
    session: AsyncSession, batch: Sequence[ArticleCreate], existing: dict[str, Article]
) -> dict[str, int]:
    """Ids of stored articles by URL; refuses self links and links to unknown URLs."""
    batch_urls = {item.url for item in batch}
    outside = sorted({ln.url for item in batch for ln in item.links} - batch_urls)
    found = {url: article.id for url, article in existing.items()}
    for chunk in _chunks(outside):
        stmt = select(Article.url, Article.id).where(Article.url.in_(chunk))
        found |= {url: id_ for url, id_ in await session.execute(stmt)}
    for index, item in enumerate(batch):
        for k, link in enumerate(item.links):
            if link.url == item.url:
                raise IngestItemError(index, f"links[{k}].url", "an article cannot link to itself")
            if link.url not in batch_urls and link.url not in found:
                raise IngestItemError(index, f"links[{k}].url", f"no article with URL {link.url}")
    return found


async def _assign_slugs(
    session: AsyncSession, batch: Sequence[ArticleCreate], existing: dict[str, Article]
) -> list[str | None]:
    """The slug to store per item; None keeps the stored one (slugs are public URLs)."""
    derived = {
        index: derive_slug(item.title, item.url)
        for index, item in enumerate(batch)
        if item.slug is None and item.url not in existing
    }
    wanted = sorted({item.slug for item in batch if item.slug} | set(derived.values()))
    holder: dict[str, str] = {}  # slug -> URL of the article that has (or will have) it
    for chunk in _chunks(wanted):
        stmt = select(Article.slug, Article.url).where(Article.slug.in_(chunk))
        holder |= {slug: url for slug, url in await session.execute(stmt)}
    slugs: list[str | None] = [None] * len(batch)
    for index, item in enumerate(batch):
        if item.slug is not None:
            owner = holder.setdefault(item.slug, item.url)
            if owner != item.url:
                raise IngestItemError(index, "slug", f"slug {item.slug!r} is taken by {owner}")
            slugs[index] = item.slug
    for index, candidate in derived.items():
        if candidate in holder:  # rare: a hand-picked slug, or same title and hash prefix
            candidate = await _free_slug(session, candidate, holder)
        holder[candidate] = batch[index].url
        slugs[index] = candidate
    return slugs


async def _free_slug(session: AsyncSession, base: str, holder: dict[str, str]) -> str:
    prefix = f"{base}-"
    stmt = select(Article.slug).where(Article.slug.startswith(prefix, autoescape=True))
    taken = set(await session.scalars(stmt)) | {s for s in holder if s.startswith(prefix)}
    n = 2
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _column_values(item: ArticleCreate, refs: _Refs, slug: str | None, *, new: bool) -> Row:
    given = item.model_fields_set
    values = {name: getattr(item, name) for name in PLAIN_FIELDS if new or name in given}
    values["source_id"] = refs.sources.ids[ref_slug(item.source)]
    if new or "category" in given:
        category = item.category
        values["category_id"] = (
            None if category is None else refs.categories.ids[ref_slug(category)]
        )
    if slug is not None:
        values["slug"] = slug
    return values


def _mentions(item: ArticleCreate, refs: _Refs, ids: dict[str, int]) -> list[Row]:
    entity_ids = refs.entities.ids
    return [
        dict(
            article_id=ids[item.url],
            entity_id=entity_ids[ref_slug(m.entity)],
            salience=m.salience,
            sentiment=m.sentiment,
        )
        for m in item.mentions
    ]


def _links(item: ArticleCreate, ids: dict[str, int]) -> list[Row]:
    return [
        dict(from_article_id=ids[item.url], to_article_id=ids[ln.url], kind=ln.kind, score=ln.score)
        for ln in item.links
    ]


def _assign(row: Base, values: Row) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _sync_children(
    children: list[Any], wanted: list[Row], key: tuple[str, ...], make: type[Base]
) -> bool:
    """Make a loaded collection match ``wanted`` (rows identified by ``key``), in place."""
    current = {tuple(getattr(child, k) for k in key): child for child in children}
    keep = {tuple(row[k] for k in key) for row in wanted}
    changed = False
    for identity, stale in current.items():
        if identity not in keep:
            children.remove(stale)  # the delete-orphan cascade deletes the row
            changed = True
    for row in wanted:
        child = current.get(tuple(row[k] for k in key))
        if child is None:
            children.append(make(**row))
            changed = True
        else:
            changed |= _assign(child, row)
    return changed
