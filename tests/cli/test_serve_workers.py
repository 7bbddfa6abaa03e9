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
from tests.fixtures.server_process import ROOT, SERVE, free_port
from tests.fixtures.writes import key_headers

pytestmark = pytest.mark.anyio

QUOTA = 30
CALLS = 3 * QUOTA
REDIS_URL = "redis://127.0.0.1:6379/0"
# Two workers' imports and startups, on a machine the rest of the suite keeps busy.
STARTUP_SECONDS = 180
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


def _let_through(by_status: dict[str, float]) -> float:
    return sum(count for status, count in by_status.items() if status != "429")


def _total(exposition: str, route: str, status: str) -> float:
    wanted = f'broadsheet_http_requests_total{{method="GET",route="{route}",status="{status}"}}'
    for line in exposition.splitlines():
        if line.startswith(wanted):
            return float(line.split()[-1])
    return 0.0


async def _wait_for_both_workers(
    base: str, server: subprocess.Popen[bytes], metrics_dir: Path
) -> None:
    """Until each worker has answered ``/readyz`` with 200: a probe answered by one worker
    says nothing of the other, which may still be starting (slow on a loaded machine)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited during startup"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=5) as http:
                ready = await http.get("/readyz")
            assert ready.status_code == 200, ready.text
        except httpx.TransportError:
            pass
        answered = _answered_by(metrics_dir, "/readyz")
        if len(answered) == 2 and all(c.get("200") for c in answered.values()):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"both workers were not ready within {STARTUP_SECONDS} s")


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
    await _wait_for_both_workers(base, server, metrics_dir)
    await _wait_for_a_fresh_window()

    async def call() -> int:
        # A connection per call, so the kernel spreads them over both workers' accepts.
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            return (await http.get("/v1/sources")).status_code

    # Past the quota, and on until both workers have answered some of the calls (the
    # kernel hands connections to whichever worker accepts first).
    statuses: list[int] = []
    while len(statuses) < CALLS or len(_answered_by(metrics_dir, "/v1/sources")) < 2:
        assert len(statuses) < 10 * CALLS, "one worker took every connection"
        statuses += await asyncio.gather(*(call() for _ in range(10)))
    calls = len(statuses)
    # Let through: 200, or 503 when the loaded machine's database did not answer in time
    # (the call had passed the limit and spent its share of the quota).
    assert set(statuses) <= {200, 429, 503}, statuses
    assert statuses.count(429) == calls - QUOTA

    # What the two workers let through adds up to the quota, no more.
    by_worker = _answered_by(metrics_dir, "/v1/sources")
    assert len(by_worker) == 2, by_worker
    assert sum(_let_through(counts) for counts in by_worker.values()) == QUOTA
    assert sum(counts.get("429", 0) for counts in by_worker.values()) == calls - QUOTA

    # Any worker's /metrics sums both (the readiness probes above were answered by each).
    for _ in range(6):
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            scraped = await http.get("/metrics", headers=reader)
            assert scraped.status_code == 200
            let_through = sum(_total(scraped.text, "/v1/sources", c) for c in ("200", "503"))
            assert let_through == QUOTA
            assert _total(scraped.text, "/v1/sources", "429") == calls - QUOTA
            ready = await http.get("/readyz")
            assert ready.status_code == 200, ready.text
