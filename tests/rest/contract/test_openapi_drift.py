"""The REST contract: openapi.yaml is what the app serves, and it is valid OpenAPI 3.1."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parents[3]


async def test_checked_in_openapi_equals_served(client: httpx.AsyncClient) -> None:
    served = (await client.get("/openapi.json")).json()
    committed = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert committed == served, "openapi.yaml drifted: run `broadsheet export-schema`"


def test_openapi_is_valid_3_1() -> None:
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")
    validate(document)
    for path_item in document["paths"].values():
        for operation in path_item.values():
            assert operation["operationId"]
            assert operation["summary"]
            statuses = set(operation["responses"])
            assert {"400", "500"} <= statuses
            assert any(status.startswith("2") for status in statuses)
