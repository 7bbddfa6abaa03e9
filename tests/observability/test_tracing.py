"""OpenTelemetry: a server span per request when enabled, none when not."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from api.settings import Settings
from tests.fixtures.logs import json_logs
from tests.fixtures.serving import serving

pytestmark = pytest.mark.anyio
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    """The process's tracer provider can be set once: reuse it if a module set it before."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    memory = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    return memory


@pytest.fixture
async def traced(
    database_url: str, exporter: InMemorySpanExporter
) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(Settings(database_url=database_url, tracing_enabled=True)) as http:
        exporter.clear()
        yield http


async def test_a_request_becomes_a_server_span(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    with json_logs() as logs:
        response = await traced.get(
            "/v1/articles/no-such-article", headers={"traceparent": PARENT, "User-Agent": "t/1"}
        )
    assert response.status_code == 404
    [span] = exporter.get_finished_spans()
    assert span.name == "GET /v1/articles/{key}"
    assert span.kind is SpanKind.SERVER
    attributes = dict(span.attributes or {})
    assert attributes["http.request.method"] == "GET"
    assert attributes["http.route"] == "/v1/articles/{key}"
    assert attributes["url.path"] == "/v1/articles/no-such-article"
    assert attributes["http.response.status_code"] == 404
    assert attributes["user_agent.original"] == "t/1"
    # A child of the caller's trace, and the log line says which trace.
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None
    assert logs.access()[0]["trace_id"] == TRACE_ID
    assert span.status.status_code is StatusCode.UNSET


async def test_graphql_and_refused_requests_are_spans_too(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await traced.post("/graphql", json={"query": "{ sources { slug } }"})
    await traced.get("/v1/articles", headers={"Authorization": "Bearer bad"})
    names = [
        (s.name, (s.attributes or {}).get("http.response.status_code"))
        for s in exporter.get_finished_spans()
    ]
    assert names == [("POST /graphql", 200), ("GET /v1/articles", 401)]


async def test_no_spans_when_disabled(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    exporter.clear()
    response = await client.get("/v1/articles")
    assert response.status_code == 200
    assert exporter.get_finished_spans() == ()
