"""``broadsheet serve --workers 2``: readiness, one rate limit shared through Redis, and
metrics summed over both workers, tested together on real processes.

Which worker answered is read from the metrics directory: with ``PROMETHEUS_MULTIPROC_DIR``
each worker keeps its counters in files named by its pid.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from api.db.database import Database
from api.models import KeyScope
from tests.fixtures.server_process import ROOT, SERVE, free_port, wait_until_up
from tests.fixtures.writes import key_headers

pytestmark = pytest.mark.anyio

QUOTA = 30
CALLS = 3 * QUOTA
REDIS_URL = "redis://127.0.0.1:6379/0"
WINDOW = 3600  # "/hour": a fixed window aligned to the clock, far from its end (see below)


@pytest.fixture
def metrics_dir(tmp_path: Path) -> Path:
    path = tmp_path / "metrics"
    path.mkdir()
    return path


@pytest.fixture
def two_workers(
    database_url: str, metrics_dir: Path, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "BROADSHEET_REDIS_URL": REDIS_URL,
        "BROADSHEET_RATE_LIMIT_ENABLED": "true",
        "BROADSHEET_RATE_LIMIT_ANONYMOUS": f"{QUOTA}/hour",
        # Counters of this test only, in a Redis other runs share.
        "BROADSHEET_RATE_LIMIT_PREFIX": f"test-workers-{uuid.uuid4().hex}",
        "BROADSHEET_WEBHOOK_WORKER": "false",
    }
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--workers", "2", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the supervisor and its workers: one group to stop
    )
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def _answered_by(metrics_dir: Path, route: str) -> dict[int, dict[str, float]]:
    """Per worker pid: its count of answers on ``route``, by status."""
    counts: dict[int, dict[str, float]] = {}
    for path in metrics_dir.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        for metric in MultiProcessCollector.merge([str(path)]):  # type: ignore[no-untyped-call]
            for sample in metric.samples:
                if sample.name == "broadsheet_http_requests_total" and (
                    sample.labels["route"] == route
                ):
                    by_status = counts.setdefault(pid, {})
                    status = sample.labels["status"]
                    by_status[status] = by_status.get(status, 0) + sample.value
    return counts


def _total(exposition: str, route: str, status: str) -> float:
    wanted = f'broadsheet_http_requests_total{{method="GET",route="{route}",status="{status}"}}'
    for line in exposition.splitlines():
        if line.startswith(wanted):
            return float(line.split()[-1])
    return 0.0


async def _wait_for_a_fresh_window() -> None:
    # A count that straddled the window's end would allow more than the quota.
    left = WINDOW - time.time() % WINDOW
    if left < 60:
        await asyncio.sleep(left + 1)


async def test_two_workers_share_one_quota_and_report_one_set_of_metrics(
    two_workers: tuple[str, subprocess.Popen[bytes]], database: Database, metrics_dir: Path
) -> None:
    base, server = two_workers
    reader = await key_headers(database, KeyScope.READ)  # keyed: a budget of its own
    await wait_until_up(base, server)
    await _wait_for_a_fresh_window()

    async def call() -> int:
        # A connection per call, so the kernel spreads them over both workers' accepts.
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            return (await http.get("/v1/sources")).status_code

    statuses: list[int] = []
    for _ in range(CALLS // 10):
        statuses += await asyncio.gather(*(call() for _ in range(10)))
    assert statuses.count(200) == QUOTA
    assert statuses.count(429) == CALLS - QUOTA

    # Both workers answered, and what they let through adds up to the quota, no more.
    by_worker = _answered_by(metrics_dir, "/v1/sources")
    assert len(by_worker) == 2, by_worker
    assert sum(counts.get("200", 0) for counts in by_worker.values()) == QUOTA
    assert sum(counts.get("429", 0) for counts in by_worker.values()) == CALLS - QUOTA

    # Any worker's /metrics sums both; readiness answers on every worker.
    for _ in range(6):
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            scraped = await http.get("/metrics", headers=reader)
            assert scraped.status_code == 200
            assert _total(scraped.text, "/v1/sources", "200") == QUOTA
            assert _total(scraped.text, "/v1/sources", "429") == CALLS - QUOTA
            ready = await http.get("/readyz")
            assert ready.status_code == 200, ready.text
