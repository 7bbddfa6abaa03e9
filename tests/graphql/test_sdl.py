"""The committed SDL is the served schema: regenerate it (`broadsheet export-schema`) on change."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema

from api.graphql.schema import build_schema as build_strawberry_schema
from api.graphql.schema import sdl

SDL_FILE = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def test_committed_sdl_matches_the_served_schema() -> None:
    committed = SDL_FILE.read_text(encoding="utf-8")
    assert committed == sdl(), "schema/schema.graphql is stale: run `broadsheet export-schema`"


def test_sdl_is_valid_and_debug_does_not_change_it() -> None:
    build_schema(sdl())  # parses and validates as a standalone schema
    assert build_strawberry_schema(debug=True).as_str() + "\n" == sdl()
