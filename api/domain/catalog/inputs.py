"""Partial changes (PATCH) of sources and entities; the slug is their identity and stays."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, field_validator

from api.domain.articles.inputs import EntityCreate, SourceCreate
from api.domain.shared.inputs import (
    InputModel,
    LongText,
    Name,
    Ticker,
    WebUrl,
    WikidataId,
    omit_or_value,
    refuse_null,
)
from api.models import EntityType

__all__ = ["EntityCreate", "EntityUpdate", "SourceCreate", "SourceUpdate"]


class SourceUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra=omit_or_value("name", "homepage_url"))

    name: Name | None = None
    homepage_url: WebUrl | None = None
    feed_url: WebUrl | None = None
    logo_url: WebUrl | None = None

    _not_null = field_validator("name", "homepage_url", mode="before")(refuse_null)


class EntityUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra=omit_or_value("name", "type", "aliases"))

    name: Name | None = None
    type: EntityType | None = None
    aliases: Annotated[list[Name], Field(max_length=50)] | None = None
    ticker: Ticker | None = None
    wikidata_id: WikidataId | None = None
    homepage_url: WebUrl | None = None
    description: LongText | None = None

    _not_null = field_validator("name", "type", "aliases", mode="before")(refuse_null)
