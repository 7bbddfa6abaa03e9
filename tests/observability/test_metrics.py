"""Prometheus: counters move with requests, labels are route templates, exposition parses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.graphql.metrics import describe
from api.observability.metrics import MAX_OPERATION_LABELS, Metrics
from api.settings import Settings
from tests.fixtures.serving import serving

pytestmark = pytest.mark.anyio
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_request_counters_and_histograms_move(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    for path in ("/v1/articles/one-article", "/v1/articles/another", "/v1/articles/x/related"):
        await client.get(path)
    await client.get("/v1/articles")
    after = await scrape(client)
    article = {"method": "GET", "route": "/v1/articles/{key}"}
    name = "broadsheet_http_requests_total"
    assert (
        value(after, name, **article, status="404") - value(before, name, **article, status="404")
        == 2
    )
    assert value(after, name, method="GET", route="/v1/articles", status="200") == 1
    assert value(after, name, method="GET", route="/metrics", status="200") == 1
    histogram = "broadsheet_http_request_duration_seconds"
    assert value(after, f"{histogram}_count", **article) == 2
    assert value(after, f"{histogram}_bucket", **article, le="+Inf") == 2
    assert value(after, f"{histogram}_sum", **article) > 0
    # Raw paths never become label values.
    labels = {dict(key[1]).get("route") for key in after}
    assert "/v1/articles/one-article" not in labels
    assert {"/v1/articles/{key}", "/v1/articles/{key}/related"} <= labels


async def test_gauges_and_unmatched_routes(client: httpx.AsyncClient) -> None:
    await client.get("/no/such/path/1")
    await client.get("/no/such/path/2")
    # Refused before routing (bad key): still labelled with its route's template.
    await client.get("/v1/articles/some-slug", headers={"Authorization": "Bearer bad"})
    samples = await scrape(client)
    name = "broadsheet_http_requests_total"
    assert value(samples, name, method="GET", route="<unmatched>", status="404") == 2
    assert value(samples, name, method="GET", route="/v1/articles/{key}", status="401") == 1
    # The scrape itself is the request in flight.
    assert value(samples, "broadsheet_http_requests_in_flight") == 1
    # Nothing holds a connection while /metrics answers.
    assert value(samples, "broadsheet_db_pool_in_use") == 0
    assert ("broadsheet_db_pool_in_use", frozenset()) in samples


async def test_graphql_operations_and_errors_by_code(client: httpx.AsyncClient) -> None:
    queries = [
        {"query": "query Feed { articles(first: 2) { edges { cursor } } }"},
        {"query": "query Feed { articles(first: 2) { edges { cursor } } }"},
        {"query": "{ sources { slug } }"},
        {"query": "{ nope }"},
        {
            "query": "query A { sources { slug } } query B { sources { slug } }",
            "operationName": "B",
        },
        {"query": "{ unterminated"},
    ]
    for body in queries:
        response = await client.post("/graphql", json=body)
        assert response.status_code == 200, response.text
    samples = await scrape(client)
    ops = "broadsheet_graphql_operations_total"
    assert value(samples, ops, operation="Feed", type="query") == 2
    assert value(samples, ops, operation="<anonymous>", type="query") == 2
    assert value(samples, ops, operation="B", type="query") == 1
    assert value(samples, ops, operation="<anonymous>", type="unknown") == 1
    errors = "broadsheet_graphql_errors_total"
    assert value(samples, errors, operation="<anonymous>", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert value(samples, errors, operation="<anonymous>", code="GRAPHQL_PARSE_FAILED") == 1
    assert value(samples, errors, operation="Feed", code="GRAPHQL_VALIDATION_FAILED") == 0


def test_operation_names_are_described_and_capped() -> None:
    assert describe("mutation M { x }", None) == ("M", "mutation")
    assert describe("{ x }", None) == ("<anonymous>", "query")
    assert describe("query A { x } query B { x }", None) == ("<anonymous>", "unknown")
    assert describe("query A { x }", "Z" * 65) == ("<invalid>", "unknown")
    assert describe(None, None) == ("<anonymous>", "unknown")
    metrics = Metrics(lambda: None)
    names = [metrics.operation_label(f"Op{i}") for i in range(MAX_OPERATION_LABELS + 5)]
    assert names[MAX_OPERATION_LABELS - 1] == f"Op{MAX_OPERATION_LABELS - 1}"
    assert names[MAX_OPERATION_LABELS:] == ["<other>"] * 5
    assert metrics.operation_label("Op3") == "Op3"  # known names stay


@pytest.fixture
async def unmeasured(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(Settings(database_url=database_url, metrics_enabled=False)) as http:
        yield http


async def test_metrics_can_be_turned_off(unmeasured: httpx.AsyncClient) -> None:
    assert (await unmeasured.get("/metrics")).status_code == 404
    response = await unmeasured.get("/v1/articles")
    assert response.status_code == 200
    assert "x-request-id" in response.headers  # ids and logs stay


def test_metrics_route_is_not_in_the_contract() -> None:
    from api.rest.contract.openapi import openapi_document

    assert "/metrics" not in openapi_document()["paths"]
