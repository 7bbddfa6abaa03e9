"""What the catalog fields do: check arguments, make one domain (or loader) call.

Nothing here knows strawberry types; results are the domain's records.
"""

from __future__ import annotations

from api.domain.catalog import MAX_ENTITIES, co_occurring, get_entity, get_source
from api.domain.shared import EntityRecord, MentionRecord, RelatedEntityRecord, SourceRecord
from api.graphql.core import inputs
from api.graphql.core.context import Context

DEFAULT_ENTITIES = 20


async def find_entity(ctx: Context, slug: str) -> EntityRecord | None:
    return await ctx.run(get_entity, inputs.lookup_key("slug", slug))


async def find_source(ctx: Context, slug: str) -> SourceRecord | None:
    return await ctx.run(get_source, inputs.lookup_key("slug", slug))


async def entity_details(ctx: Context, entity: EntityRecord | MentionRecord) -> EntityRecord:
    """The full record of an entity reached through a mention (which lacks most fields)."""
    if isinstance(entity, EntityRecord):
        return entity
    found = await ctx.loaders.entity_by_slug.load(entity.slug)
    if found is None:  # the mention's entity vanished mid-request: show what we know
        return EntityRecord(entity.slug, entity.name, entity.type, [], None, None, None, None)
    return found


async def related_entities(ctx: Context, slug: str, first: int | None) -> list[RelatedEntityRecord]:
    limit = inputs.page_size(first, default=DEFAULT_ENTITIES, maximum=MAX_ENTITIES)
    # The entity was just resolved; it vanishing mid-request leaves nothing related.
    return await ctx.run(co_occurring, slug, limit=limit) or []
