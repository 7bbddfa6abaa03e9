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
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.db.bulk import insert_many
from api.domain.articles.inputs import (
    ArticleCreate,
    ref_slug,
)
from api.domain.articles.references import (
    BatchRefs,
    IngestItemError,
    Row,
    chunks,
    insert_rows,
)
from api.domain.changes.commit import finish_write
from api.domain.changes.log import ChangeEntry
from api.domain.stories.aggregates import refresh_source_stories
from api.domain.stories.loading import Written, utc
from api.domain.stories.writes import assign_stories
from api.models import Article, ArticleLink, Base, LinkKind, Mention
from api.models.ids import new_public_id

Status = Literal["created", "updated", "unchanged"]
SLUG_BASE_MAX = 80  # the column allows 200, but long slugs make poor URLs
# Input fields stored in the article column of the same name; the rest need resolving.
PLAIN_FIELDS = tuple(
    sorted(
        ArticleCreate.model_fields.keys()
        - {"url", "slug", "source", "category", "mentions", "links"}
    )
)


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    url: str
    public_id: str
    status: Status
    version: int = 1


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
    refs = await BatchRefs.load(session, batch)
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
    ids |= await insert_rows(session, Article, new_rows, Article.url, Article.id)
    public_ids = {row["url"]: row["public_id"] for row in new_rows}
    mentions = [m for _, it in fresh for m in _mentions(it, refs, ids)]
    await insert_many(session, Base.metadata.tables[Mention.__tablename__], mentions)
    links = [ln for _, it in fresh for ln in _links(it, ids)]
    await insert_many(session, Base.metadata.tables[ArticleLink.__tablename__], links)

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
    article_ids = [ids[o.url] if o.status == "created" else existing[o.url].id for o in outcomes]
    await assign_stories(
        session,
        [i for i, o in zip(article_ids, outcomes, strict=True) if o.status != "unchanged"],
        [i for i, o in zip(article_ids, outcomes, strict=True) if o.status == "unchanged"],
        created_unlinked={
            ids[item.url]
            for _, item in fresh
            if all(ln.kind != LinkKind.SAME_STORY for ln in item.links)
        },
        created={ids[it.url]: _written(it, refs, ids, public_ids) for _, it in fresh},
    )
    # Stories keep their sources' names (``stories.sources``): an inline rename reaches them.
    await refresh_source_stories(session, refs.sources.renamed)
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


async def _load_articles(session: AsyncSession, urls: Sequence[str]) -> dict[str, Article]:
    found: dict[str, Article] = {}
    for chunk in chunks(urls):
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
    for chunk in chunks(outside):
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
    for chunk in chunks(wanted):
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


def _column_values(item: ArticleCreate, refs: BatchRefs, slug: str | None, *, new: bool) -> Row:
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


def _mentions(item: ArticleCreate, refs: BatchRefs, ids: dict[str, int]) -> list[Row]:
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


def _written(
    item: ArticleCreate, refs: BatchRefs, ids: dict[str, int], public_ids: dict[str, str]
) -> Written:
    """A created article as stored, for the stories (which would otherwise read it back)."""
    entities = refs.entities
    mentions = []
    for m in item.mentions:
        slug = ref_slug(m.entity)
        stored = entities.stored.get(slug)
        name, type_ = (
            (stored.name, stored.type)
            if stored is not None
            else itemgetter("name", "type")(entities.new[slug])
        )
        mentions.append((entities.ids[slug], m.salience, slug, name, str(type_)))
    source_slug = ref_slug(item.source)
    source = refs.sources.stored.get(source_slug)  # as inline definitions left it
    source_name = source.name if source is not None else refs.sources.new[source_slug]["name"]
    return Written(
        ids[item.url],
        public_ids[item.url],
        item.url,
        utc(item.published_at),
        refs.sources.ids[source_slug],
        item.title,
        item.summary,
        item.importance,
        tuple(mentions),
        source_slug,
        source_name,
    )


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
