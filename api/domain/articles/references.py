"""The sources, categories and entities a batch of articles refers to, by slug.

A batch may name stored rows or define them inline; every reference is checked before the
first write, and new ones go out as one multi-row INSERT per table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from api.domain.articles.inputs import (
    ArticleCreate,
    CategoryCreate,
    EntityCreate,
    SourceCreate,
    ref_slug,
)
from api.domain.changes.log import ChangeEntry
from api.models import Base, Category, Entity, Source

IN_CHUNK = 500

T = TypeVar("T")
Ref = TypeVar("Ref", Source, Category, Entity)
Row = dict[str, Any]


class IngestItemError(Exception):
    """A semantic error in one item of a well-formed batch (unknown reference, bad link)."""

    def __init__(self, index: int, field: str, message: str) -> None:
        super().__init__(f"item {index}: {field}: {message}")
        self.index = index
        self.field = field
        self.message = message


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


async def insert_rows(
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


async def insert_new_rows(
    session: AsyncSession, model: type[Ref], rows: list[Row]
) -> dict[str, int]:
    """A multi-row INSERT of reference rows by slug; those another writer inserted first
    are left out (not an error): the new ids by slug, of the rows this one created."""
    dialect = session.get_bind().dialect.name
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(model)
    statement = statement.on_conflict_do_nothing(index_elements=[model.slug])
    result = await session.execute(statement.returning(model.slug, model.id), rows)
    return {slug: new_id for slug, new_id in result}


class RefTable(Generic[Ref]):
    """One kind of reference data in a batch, by slug: stored rows and inline definitions."""

    def __init__(self, model: type[Ref], stored: dict[str, Ref], inline: set[str]) -> None:
        self.model: type[Ref] = model
        self.stored: dict[str, Ref] = stored
        self.inline = inline  # slugs defined inline somewhere in the batch
        self.new: dict[str, Row] = {}
        self._new_given: dict[str, Row] = {}  # the fields inline definitions named
        self.ids = {slug: row.id for slug, row in stored.items()}
        self.updated: dict[str, Ref] = {}
        self.renamed: set[int] = set()  # ids of stored rows whose name changed

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        model: type[Ref],
        refs: Sequence[str | SourceCreate | CategoryCreate | EntityCreate],
    ) -> RefTable[Ref]:
        stored: dict[str, Ref] = {}
        for chunk in chunks(sorted({ref_slug(ref) for ref in refs})):
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
            self._new_given.setdefault(data.slug, {}).update(given)
            return
        self._change(data.slug, row, given)

    def _change(self, slug: str, row: Ref, given: Row) -> None:
        changed = False
        for name, value in given.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
                if name == "name":
                    self.renamed.add(row.id)
        if changed and isinstance(row, Source | Entity):
            if slug not in self.updated:  # once per batch, however many items touch it
                row.version += 1
            self.updated[slug] = row

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
        if not self.new:
            return
        # In slug order: writers inserting the same new slugs in different orders would
        # each wait on the other's uncommitted key (a deadlock).
        rows = [self.new[slug] for slug in sorted(self.new)]
        created = await insert_new_rows(session, self.model, rows)
        self.ids |= created
        raced = sorted(slug for slug in self.new if slug not in created)
        if not raced:
            return
        # Another batch created these between our read and our insert (PostgreSQL, writers
        # in parallel): they are stored rows now, and our definitions apply as changes.
        for row in await session.scalars(select(self.model).where(self.model.slug.in_(raced))):
            del self.new[row.slug]
            self.stored[row.slug] = row
            self.ids[row.slug] = row.id
            self._change(row.slug, row, self._new_given[row.slug])


@dataclass(frozen=True, slots=True)
class BatchRefs:
    sources: RefTable[Source]
    categories: RefTable[Category]
    entities: RefTable[Entity]

    @classmethod
    async def load(
        cls, session: AsyncSession, batch: Sequence[ArticleCreate], *, check: bool = True
    ) -> BatchRefs:
        """The batch's references; ``check``: refuse a slug nothing stored or inline names."""
        refs = cls(
            await RefTable.load(session, Source, [item.source for item in batch]),
            await RefTable.load(
                session, Category, [item.category for item in batch if item.category is not None]
            ),
            await RefTable.load(session, Entity, [m.entity for i in batch for m in i.mentions]),
        )
        for index, item in enumerate(batch if check else ()):
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
