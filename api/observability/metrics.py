"""Prometheus collectors and the ``/metrics`` exposition.

Each app gets its own registry, so tests (and several apps in one process) never share
counters. Labels are bounded: routes are templates, methods a fixed set, GraphQL operation
names validated and capped. With ``PROMETHEUS_MULTIPROC_DIR`` set (several uvicorn
workers), values live in files there and a scrape, answered by any worker, sums them all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATION_LABELS = 100  # distinct GraphQL operation names before "<other>"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class PoolCollector(Collector):
    """Connections checked out of the SQLAlchemy pool, read at scrape time (no hot-path cost)."""

    def __init__(self, pool_in_use: Callable[[], int | None]) -> None:
        self._pool_in_use = pool_in_use

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "broadsheet_db_pool_in_use",
            "Database connections checked out of this worker's pool",
        )
        value = self._pool_in_use()
        if value is not None:
            family.add_metric([], value)
        yield family


class Metrics:
    def __init__(self, pool_in_use: Callable[[], int | None]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._pool = PoolCollector(pool_in_use)
        self.registry.register(self._pool)
        r = self.registry
        self.requests = Counter(
            "broadsheet_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.duration = Histogram(
            "broadsheet_http_request_duration_seconds",
            "Time from request start to the end of the response, by method and route template",
            ["method", "route"],
            buckets=BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge(
            "broadsheet_http_requests_in_flight",
            "HTTP requests being served",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.graphql_operations = Counter(
            "broadsheet_graphql_operations",
            "GraphQL operations executed, by operation name and type",
            ["operation", "type"],
            registry=r,
        )
        self.graphql_errors = Counter(
            "broadsheet_graphql_errors",
            "GraphQL errors returned, by operation name and extensions.code",
            ["operation", "code"],
            registry=r,
        )
        # labels() takes a lock and builds a key on every call: keep the children.
        self._request_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._operation_children: dict[tuple[str, str], Any] = {}
        self._operations: set[str] = set()

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._request_children.get(key)
        if children is None:
            label = method if method in METHODS else "OTHER"
            children = (
                self.requests.labels(label, route, str(status)),
                self.duration.labels(label, route),
            )
            self._request_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def count_operation(self, name: str, kind: str) -> str:
        """Count one GraphQL operation; the label it was counted under."""
        label = self.operation_label(name)
        child = self._operation_children.get((label, kind))
        if child is None:
            child = self._operation_children[label, kind] = self.graphql_operations.labels(
                label, kind
            )
        child.inc()
        return label

    def operation_label(self, name: str) -> str:
        """Names already seen pass; new ones only while fewer than the cap exist."""
        if name in self._operations:
            return name
        if len(self._operations) >= MAX_OPERATION_LABELS:
            return "<other>"
        self._operations.add(name)
        return name

    def exposition(self) -> bytes:
        directory = multiprocess_dir()
        if directory is None:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        registry.register(self._pool)  # this worker's pool: a pool is per process
        return generate_latest(registry)


def metrics_endpoint(metrics: Metrics) -> Callable[[Request], Any]:
    async def endpoint(_request: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return endpoint


def mark_process_dead() -> None:
    """Drop this worker's live gauges from the shared directory when it stops."""
    if multiprocess_dir() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
