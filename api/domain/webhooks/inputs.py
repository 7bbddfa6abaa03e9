"""What a client sends to create or change a webhook subscription (both doors)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints, field_validator

from api.domain.shared.inputs import (
    Importance,
    InputModel,
    NoNul,
    WebUrl,
    omit_or_value,
    refuse_null,
)
from api.models import Sentiment

EventType = Literal["article.created", "article.updated", "article.deleted"]
EVENT_TYPES: tuple[EventType, ...] = ("article.created", "article.updated", "article.deleted")
EventTypes = Annotated[list[EventType], Field(min_length=1, max_length=3)]
FilterSlug = Annotated[
    str,
    StringConstraints(max_length=120, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$"),
    Field(description="A slug; only articles with it match."),
]
Description = Annotated[str, StringConstraints(max_length=500), NoNul]
# Strict like the article fields: "7" or true are refused, as the published schema types them.
ImportanceMin = Annotated[
    Importance, Field(description="Only articles at least this important (1-10).")
]


def _distinct(value: list[EventType] | None) -> list[EventType] | None:
    return None if value is None else list(dict.fromkeys(value))


class WebhookCreate(InputModel):
    url: WebUrl = Field(description="Where events are POSTed (http or https).")
    description: Description | None = None
    event_types: EventTypes = Field(default_factory=lambda: list(EVENT_TYPES))
    entity: FilterSlug | None = None
    category: FilterSlug | None = None
    sentiment: Sentiment | None = None
    importance_min: ImportanceMin | None = None
    active: StrictBool = True

    _distinct = field_validator("event_types")(_distinct)


class WebhookUpdate(InputModel):
    """Fields left out stay; a filter set to null matches everything again."""

    model_config = ConfigDict(json_schema_extra=omit_or_value("url", "event_types", "active"))

    url: WebUrl | None = None
    description: Description | None = None
    event_types: EventTypes | None = None
    entity: FilterSlug | None = None
    category: FilterSlug | None = None
    sentiment: Sentiment | None = None
    importance_min: ImportanceMin | None = None
    active: StrictBool | None = None

    _not_null = field_validator("url", "event_types", "active", mode="before")(refuse_null)
    _distinct = field_validator("event_types")(_distinct)
