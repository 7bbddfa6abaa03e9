"""Mutation inputs to the domain's write models, and the domain's field names to ours.

The GraphQL input types check shapes (required fields, enums, lists); their values are then
handed to the very pydantic models REST and ingest use (``ArticleCreate`` & co.), so a
GraphQL write is valid exactly when the same REST body would be. Fields left out stay out of
the model's ``model_fields_set``: an update changes only what was sent, and an explicit null
clears a field that can be cleared.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

import strawberry
from pydantic import BaseModel, ValidationError
from strawberry.types.base import get_object_definition

from api.domain.articles import error_path
from api.errors import InvalidInput, InvalidParam

M = TypeVar("M", bound=BaseModel)
UNSET: Any = strawberry.UNSET


def _given(value: Any) -> bool:
    return value is not UNSET and value is not None


def plain(value: Any) -> Any:
    """An input object as the JSON-like value a REST body would carry (fields given only).

    A ``@oneOf`` reference (``{slug: "wire"}`` or ``{inline: {...}}``) is the value of its
    one field: a slug, as REST names a stored one, or the object given whole.
    """
    if isinstance(value, list):
        return [plain(item) for item in value]
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    definition = get_object_definition(type(value))
    if definition is not None and definition.is_one_of:
        chosen = (getattr(value, f.name) for f in dataclasses.fields(value))
        return plain(next((v for v in chosen if _given(v)), None))
    return {
        f.name: plain(getattr(value, f.name))
        for f in dataclasses.fields(value)
        if getattr(value, f.name) is not UNSET
    }


_SNAKE = re.compile(r"_([a-z0-9])")


def camel_path(path: str) -> str:
    """``mentions[0].key_takeaways`` -> ``mentions[0].keyTakeaways``: this door's names."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), path)


def field_errors(error: InvalidInput, prefix: str = "") -> InvalidInput:
    """The domain's field names as GraphQL paths, under ``prefix`` (the argument)."""
    params = [
        InvalidParam(f"{prefix}{camel_path(p.name)}" if p.name else prefix.rstrip("."), p.reason)
        for p in error.invalid_params
    ]
    detail = "; ".join(f"{p.name}: {p.reason}" for p in params) or error.detail
    return InvalidInput(detail=detail, invalid_params=params)


def validated(model: type[M], value: Any, argument: str) -> M:
    """``value`` (an input object) as ``model``; pydantic's errors name GraphQL paths."""
    try:
        return model.model_validate(plain(value))
    except ValidationError as exc:
        params = [
            InvalidParam(error_path(e["loc"]), e["msg"])
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise field_errors(InvalidInput(detail="", invalid_params=params), f"{argument}.") from None
