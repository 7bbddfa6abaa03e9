"""Catalog inputs: sources, categories and entities, given whole or in part, and referenced.

A reference (``SourceRef``, ``CategoryRef``, ``EntityRef``) is a ``@oneOf`` input, used by
article writes: ``{slug: "wire"}`` names a stored one, ``{inline: {...}}`` gives it whole
(created, or updated to match). ``core.validation.plain`` turns either into what REST takes.
"""

from __future__ import annotations

import strawberry

from api.graphql.core.inputs import EntityType
from api.graphql.core.validation import UNSET


@strawberry.input(description="A publisher, given whole (`slug` is its identity).")
class SourceInput:
    slug: str
    name: str
    homepage_url: str
    feed_url: str | None = UNSET
    logo_url: str | None = UNSET


@strawberry.input(description="Fields of a source to change; left out = unchanged.")
class SourceUpdateInput:
    name: str | None = strawberry.field(default=UNSET, description="Cannot be null.")
    homepage_url: str | None = strawberry.field(default=UNSET, description="Cannot be null.")
    feed_url: str | None = strawberry.field(default=UNSET, description="Null clears it.")
    logo_url: str | None = strawberry.field(default=UNSET, description="Null clears it.")


@strawberry.input(description="A category, given whole (`slug` is its identity).")
class CategoryInput:
    slug: str
    name: str
    icon: str | None = UNSET


@strawberry.input(description="An entity, given whole (`slug` is its identity).")
class EntityInput:
    slug: str
    name: str
    type: EntityType
    aliases: list[str] | None = UNSET
    ticker: str | None = UNSET
    wikidata_id: str | None = UNSET
    homepage_url: str | None = UNSET
    description: str | None = UNSET


@strawberry.input(description="Fields of an entity to change; left out = unchanged.")
class EntityUpdateInput:
    name: str | None = strawberry.field(default=UNSET, description="Cannot be null.")
    type: EntityType | None = strawberry.field(default=UNSET, description="Cannot be null.")
    aliases: list[str] | None = strawberry.field(default=UNSET, description="Cannot be null.")
    ticker: str | None = UNSET
    wikidata_id: str | None = UNSET
    homepage_url: str | None = UNSET
    description: str | None = UNSET


@strawberry.input(
    one_of=True,
    description="A source by `slug`, or `inline`: created if new, else updated to match.",
)
class SourceRef:
    slug: str | None = UNSET
    inline: SourceInput | None = UNSET


@strawberry.input(
    one_of=True,
    description="A category by `slug`, or `inline`: created if new, else updated to match.",
)
class CategoryRef:
    slug: str | None = UNSET
    inline: CategoryInput | None = UNSET


@strawberry.input(
    one_of=True,
    description="An entity by `slug`, or `inline`: created if new, else updated to match.",
)
class EntityRef:
    slug: str | None = UNSET
    inline: EntityInput | None = UNSET
