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


def test_every_operation_declares_its_security() -> None:
    """Linters and generated clients learn from ``security`` whether a key may be sent:
    required for writes and private reads, optional for public reads, none for probes."""
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    key: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKeyHeader": []}]
    assert document["security"] == [{}, *key]
    for path, path_item in document["paths"].items():
        for method, operation in path_item.items():
            where = f"{method.upper()} {path}"
            if path in ("/healthz", "/readyz"):
                assert operation["security"] == [{}], where
            elif "x-required-scope" in operation:
                assert operation["security"] == key, where
            else:
                assert operation["security"] == [{}, *key], where
            if operation["security"] != [{}]:
                # a key that is sent is checked: an unknown one is refused
                assert "401" in operation["responses"], where
