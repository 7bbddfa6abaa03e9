"""Partial changes (PATCH) of sources and entities; the slug is their identity and stays."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from api.models import EntityType
from api.schemas.article_input import (
    EntityCreate,
    LongText,
    Name,
    SourceCreate,
    Ticker,
    WebUrl,
    WikidataId,
    _Input,
    omit_or_value,
)

__all__ = ["EntityCreate", "EntityUpdate", "SourceCreate", "SourceUpdate"]


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("not_null", "Field may be omitted but not set to null")
    return value


class SourceUpdate(_Input):
    model_config = ConfigDict(json_schema_extra=omit_or_value("name", "homepage_url"))

    name: Name | None = None
    homepage_url: WebUrl | None = None
    feed_url: WebUrl | None = None
    logo_url: WebUrl | None = None

    _not_null = field_validator("name", "homepage_url", mode="before")(_refuse_null)


class EntityUpdate(_Input):
    model_config = ConfigDict(json_schema_extra=omit_or_value("name", "type", "aliases"))

    name: Name | None = None
    type: EntityType | None = None
    aliases: Annotated[list[Name], Field(max_length=50)] | None = None
    ticker: Ticker | None = None
    wikidata_id: WikidataId | None = None
    homepage_url: WebUrl | None = None
    description: LongText | None = None

    _not_null = field_validator("name", "type", "aliases", mode="before")(_refuse_null)
