"""Open-loop load at a fixed rate, with wrk2's semantics (wrk2 is not packaged for Debian).

Request i is due at start + i / rate whatever the server does; its latency runs from that
due time to the end of its response, so time spent queued behind a slow server (waiting for
one of the pooled keep-alive connections) counts: no coordinated omission. Requests still
unanswered one timeout after the last one was due are counted as errors (timeouts).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from bench.wrk import HttpRequest

MAX_MEAN_DISPATCH_LAG_MS = 5.0  # beyond this the generator, not the server, sets the pace


@dataclass(frozen=True, slots=True)
class PacedResult:
    target_rps: float
    achieved_rps: float  # completed / elapsed (elapsed includes the final drain)
    seconds: float
    sent: int
    completed: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # transport errors and timeouts
    non_2xx: int
    dispatch_lag_ms: float  # mean lateness of the generator's own schedule
    client_saturated: bool  # the figures are the client's, not the server's


class _Stats:
    def __init__(self) -> None:
        self.sent = 0
        self.non_2xx = 0
        self.latencies: list[float] = []


def _percentile(ordered: list[float], pct: float) -> float:
    """Nearest rank: the smallest sample with at least pct % of the samples at or below it."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _encode(request: HttpRequest, host: str) -> bytes:
    head = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}"]
    head.append("Accept: application/json")  # as the wrk scripts send
    if request.body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(request.body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (request.body or b"")


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response whole; its status, and whether the connection stays usable."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status_text = lines[0].split(" ", 2)[:2]
    status = int(status_text)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    reusable = "close" not in headers.get("connection", "").lower() and version == "HTTP/1.1"
    if status < 200 or status in (204, 304):
        return status, reusable
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                    pass
                break
            await reader.readexactly(size + 2)
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:  # the body runs to the end of the connection
        await reader.read()
        reusable = False
    return status, reusable


async def _connection(
    host: str,
    port: int,
    payloads: list[bytes],
    queue: asyncio.Queue[tuple[int, float]],
    stats: _Stats,
    request_timeout: float,
    ready: asyncio.Event,
) -> None:
    loop = asyncio.get_running_loop()
    stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    try:
        try:
            stream = await asyncio.open_connection(host, port)
        except OSError:
            stream = None  # retried with the first request, which then counts the error
        ready.set()
        while True:
            index, due = await queue.get()
            try:
                async with asyncio.timeout(request_timeout):
                    if stream is None:
                        stream = await asyncio.open_connection(host, port)
                    reader, writer = stream
                    writer.write(payloads[index % len(payloads)])
                    stats.sent += 1
                    await writer.drain()
                    status, reusable = await read_response(reader)
            except (
                OSError,
                TimeoutError,
                ValueError,  # a malformed status line, length or chunk size
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
            ):
                reusable = False  # counted as not completed; reconnect for the next one
            else:
                stats.latencies.append(loop.time() - due)
                if not 200 <= status < 300:
                    stats.non_2xx += 1
            if not reusable and stream is not None:
                stream[1].close()
                stream = None
            queue.task_done()
    finally:
        if stream is not None:
            stream[1].close()


async def run_paced(
    base_url: str,
    requests: list[HttpRequest],
    *,
    rate: float,
    seconds: float,
    connections: int,
    request_timeout: float = 10.0,
) -> PacedResult:
    """Send ``rate * seconds`` requests, request i due at start + i / rate."""
    if not requests or rate <= 0 or seconds <= 0 or connections < 1:
        raise ValueError("paced load needs requests, a positive rate and duration, a connection")
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    payloads = [_encode(r, url.netloc) for r in requests]
    total = max(1, round(rate * seconds))
    stats = _Stats()
    queue: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    events = [asyncio.Event() for _ in range(connections)]
    workers = [
        asyncio.create_task(_connection(host, port, payloads, queue, stats, request_timeout, ready))
        for ready in events
    ]
    try:
        await asyncio.gather(*(e.wait() for e in events))  # connected before the clock starts
        start = loop.time()
        lag = 0.0
        for index in range(total):
            due = start + index / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            lag += max(0.0, loop.time() - due)
            queue.put_nowait((index, due))
        with contextlib.suppress(TimeoutError):
            # Whatever is still pending after this was due more than a timeout ago.
            await asyncio.wait_for(queue.join(), request_timeout)
        elapsed = loop.time() - start
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    ordered = sorted(stats.latencies)
    completed = len(ordered)
    mean_lag_ms = lag / total * 1000
    return PacedResult(
        target_rps=rate,
        achieved_rps=completed / elapsed if elapsed > 0 else 0.0,
        seconds=elapsed,
        sent=stats.sent,
        completed=completed,
        p50_ms=_percentile(ordered, 50) * 1000,
        p90_ms=_percentile(ordered, 90) * 1000,
        p99_ms=_percentile(ordered, 99) * 1000,
        max_ms=(ordered[-1] if ordered else 0.0) * 1000,
        errors=total - completed,  # transport errors, plus requests timed out or never sent
        non_2xx=stats.non_2xx,
        dispatch_lag_ms=mean_lag_ms,
        client_saturated=mean_lag_ms > MAX_MEAN_DISPATCH_LAG_MS,
    )


def paced(
    base_url: str, requests: list[HttpRequest], *, rate: float, seconds: float, connections: int
) -> PacedResult:
    return asyncio.run(
        run_paced(base_url, requests, rate=rate, seconds=seconds, connections=connections)
    )
