"""Writing sources and entities: create, replace (PUT), change (PATCH), delete.

The slug is the identity (articles refer to it), so it cannot change. Deleting a source
that articles still cite is refused; deleting an entity removes its mentions, and the
articles that mentioned it move on a version so mirrors hear of it.
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.changes.commit import bump_articles, finish_write
from api.domain.changes.log import ChangeEntry
from api.domain.stories.aggregates import refresh_source_stories
from api.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from api.models import Article, Entity, Mention, Source

Catalog = type[Source] | type[Entity]
NAMES: dict[Any, str] = {Source: "source", Entity: "entity"}


async def create(session: AsyncSession, model: Catalog, data: BaseModel) -> int:
    slug = data.slug  # type: ignore[attr-defined]
    if await session.scalar(select(model.id).where(model.slug == slug)) is not None:
        raise Conflict(detail=f"a {NAMES[model]} with slug {slug!r} exists; update it instead")
    session.add(model(**data.model_dump()))
    try:
        await finish_write(session, [ChangeEntry(NAMES[model], "created", slug, 1)])
    except IntegrityError as exc:  # created by a concurrent request after our check
        raise Conflict(detail=f"a {NAMES[model]} with slug {slug!r} was just created") from exc
    return 1


async def change(
    session: AsyncSession,
    model: Catalog,
    slug: str,
    data: BaseModel,
    *,
    replace: bool,
    expected_version: int | None,
) -> int:
    """Apply a PUT (every field) or a PATCH (the fields present); the new version."""
    row = await _locked(session, model, slug, expected_version)
    if replace:
        if data.slug != slug:  # type: ignore[attr-defined]
            raise InvalidInput.for_param("slug", "must equal the slug in the path")
        values = data.model_dump(exclude={"slug"})
    else:
        values = {name: getattr(data, name) for name in data.model_fields_set}
    changed = {name for name, value in values.items() if getattr(row, name) != value}
    if not changed:
        return row.version
    for name in changed:
        setattr(row, name, values[name])
    if isinstance(row, Source) and "name" in changed:
        # Stories keep their sources' names (``stories.sources``).
        await refresh_source_stories(session, [row.id])
    row.version += 1
    await finish_write(session, [ChangeEntry(NAMES[model], "updated", slug, row.version)])
    return row.version


async def delete(
    session: AsyncSession, model: Catalog, slug: str, *, expected_version: int | None
) -> None:
    row = await _locked(session, model, slug, expected_version)
    entries: list[ChangeEntry] = []
    if model is Source:
        citing = await session.scalar(
            select(func.count()).select_from(Article).where(Article.source_id == row.id)
        )
        if citing:
            raise Conflict(detail=f"{citing} article(s) cite this source; delete or move them")
    else:
        # The articles mentioning it lose that mention.
        mentioning = select(Mention.article_id).where(Mention.entity_id == row.id)
        entries = await bump_articles(session, mentioning)
    # Core delete: the database cascades mentions (their triggers keep counts and search).
    await session.execute(sql_delete(model).where(model.id == row.id))
    entries.append(ChangeEntry(NAMES[model], "deleted", slug, row.version + 1))
    await finish_write(session, entries)


async def _locked(
    session: AsyncSession, model: Catalog, slug: str, expected_version: int | None
) -> Source | Entity:
    stmt = select(model).where(model.slug == slug).with_for_update()
    row = cast("Source | Entity | None", (await session.scalars(stmt)).first())
    if row is None:
        raise NotFound(detail=f"no {NAMES[model]} with slug {slug!r}")
    if expected_version is not None and row.version != expected_version:
        raise PreconditionFailed(
            detail=f"{NAMES[model]} is at version {row.version}, not {expected_version}"
        )
    return row
