"""Helpers for the edge tests (fixtures live in tests/edge/conftest.py)."""

from __future__ import annotations

import httpx


def assert_retryable_503(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Service unavailable"
