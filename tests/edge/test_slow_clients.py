"""Slow and oversized request heads: 408 and 431, from a real server and from the protocol alone."""

from __future__ import annotations

import asyncio
import json
import pickle
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from pydantic import ValidationError
from uvicorn.server import ServerState

from api.edge.lifecycle import server_options
from api.edge.slow_clients import H11HeadGuard, HttpToolsHeadGuard, Parser, protocol_for
from api.settings import Settings
from tests.fixtures.server_process import free_port, start_server, wait_until_up

pytestmark = pytest.mark.anyio
TIMEOUT_S = 1
CAP = 2048


def _head(size: int, path: str = "/healthz") -> bytes:
    """A GET whose request line and headers are exactly ``size`` bytes (padded by X-Pad)."""
    bare = f"GET {path} HTTP/1.1\r\nHost: x\r\nX-Pad: \r\n\r\n"
    assert size >= len(bare)
    return bare.replace("X-Pad: ", "X-Pad: " + "a" * (size - len(bare))).encode()


def _parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode().split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def _assert_problem(raw: bytes, status: int) -> None:
    code, headers, body = _parse(raw)
    assert code == status, raw
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    problem = json.loads(body)
    assert problem["status"] == status and problem["type"] == "about:blank"
    assert problem["title"] and problem["detail"]


# --- Against a real `broadsheet serve` ------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    process = start_server(
        tmp_path_factory.mktemp("slow_clients"),
        port,
        BROADSHEET_HEADER_TIMEOUT_SECONDS=str(TIMEOUT_S),
        BROADSHEET_MAX_HEADER_BYTES=str(CAP),
    )
    try:
        asyncio.run(wait_until_up(f"http://127.0.0.1:{port}", process))
        yield port
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        assert process.stderr is not None
        log = process.stderr.read().decode(errors="replace")
    assert "Traceback" not in log, log
    # One line per refused connection, ours; the 431's parser stop is no "invalid request".
    assert '"408: request head too slow' in log and '"431: request head too large' in log, log
    assert "Invalid HTTP request" not in log, log


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)


async def _read_to_eof(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends before it closes the connection."""
    return await asyncio.wait_for(reader.read(), 10)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    status, headers, _ = _parse(head)
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 10)
    return status, body


async def test_trickled_headers_get_408_and_the_connection_closes(server: int) -> None:
    reader, writer = await _connect(server)
    started = time.monotonic()
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")

    async def trickle() -> None:
        for byte in b"X-Slow-Header-Name-That-Never-Ends":
            writer.write(bytes([byte]))
            await asyncio.sleep(0.3)

    dripping = asyncio.create_task(trickle())
    try:
        raw = await _read_to_eof(reader)
    finally:
        dripping.cancel()
        writer.close()
    elapsed = time.monotonic() - started
    _assert_problem(raw, 408)
    assert TIMEOUT_S - 0.2 < elapsed < TIMEOUT_S + 2, elapsed


async def test_a_connection_that_sends_nothing_is_closed_quietly(server: int) -> None:
    reader, writer = await _connect(server)
    started = time.monotonic()
    try:
        assert await _read_to_eof(reader) == b""
    finally:
        writer.close()
    assert time.monotonic() - started < TIMEOUT_S + 2


async def test_headers_up_to_the_cap_pass(server: int) -> None:
    reader, writer = await _connect(server)
    try:
        writer.write(_head(CAP))
        status, _ = await _read_response(reader)
    finally:
        writer.close()
    assert status == 200


@pytest.mark.parametrize("size", [CAP + 1, 4 * CAP])
async def test_headers_over_the_cap_get_431(server: int, size: int) -> None:
    reader, writer = await _connect(server)
    try:
        writer.write(_head(size))
        raw = await _read_to_eof(reader)
    finally:
        writer.close()
    _assert_problem(raw, 431)


async def test_a_head_growing_past_the_cap_is_cut_before_it_ends(server: int) -> None:
    reader, writer = await _connect(server)
    raw = b""
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ")
        for _ in range(8):  # up to 4 x CAP, never terminated
            writer.write(b"a" * (CAP // 2))
            try:  # the answer, once the server has had enough
                raw = await asyncio.wait_for(reader.read(65536), 0.3)
                break
            except TimeoutError:
                continue
        raw += await _read_to_eof(reader)
    finally:
        writer.close()
    _assert_problem(raw, 431)


async def test_keep_alive_requests_and_slow_responses_are_not_cut(server: int) -> None:
    reader, writer = await _connect(server)
    try:
        writer.write(_head(100))
        assert (await _read_response(reader))[0] == 200
        # Idle between requests for longer than the head timeout: the keep-alive timer's job.
        await asyncio.sleep(TIMEOUT_S + 0.5)
        writer.write(_head(100))
        assert (await _read_response(reader))[0] == 200
        # Headers complete at once, response slower than the head timeout.
        writer.write(_head(200, path=f"/_test/slow?seconds={TIMEOUT_S + 0.5}"))
        status, body = await _read_response(reader)
        assert status == 200 and len(body) == 65536
        await asyncio.sleep(0.5)
        writer.write(_head(100))
        assert (await _read_response(reader))[0] == 200
    finally:
        writer.close()


# --- The protocol alone, over a fake transport ----------------------------------------------


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.sent = b""
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        assert not self.closed, "written after close"
        self.sent += bytes(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 5555)}.get(name)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _ok(scope: Any, receive: Any, send: Any) -> None:
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _protocol(parser: Parser, timeout: float = 0.2) -> tuple[asyncio.Protocol, FakeTransport]:
    settings = Settings(header_timeout_seconds=timeout, max_header_bytes=1024)
    config = uvicorn.Config(_ok, log_config=None, **server_options(settings))
    cls = protocol_for(settings, parser)
    protocol = cls(  # type: ignore[call-arg]
        config=config, server_state=ServerState(), app_state={}, _loop=asyncio.get_running_loop()
    )
    transport = FakeTransport()
    protocol.connection_made(transport)
    return protocol, transport


PARSERS: list[Parser] = ["httptools", "h11"]


@pytest.mark.parametrize("parser", PARSERS)
async def test_protocol_times_out_a_partial_head(parser: Parser) -> None:
    protocol, transport = _protocol(parser)
    protocol.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n")
    await asyncio.sleep(0.1)
    protocol.data_received(b"X-A: 1\r\n")  # still arriving: the budget is for the whole head
    await asyncio.sleep(0.2)
    assert transport.closed
    _assert_problem(transport.sent, 408)
    protocol.connection_lost(None)


@pytest.mark.parametrize("parser", PARSERS)
async def test_protocol_refuses_a_head_past_the_cap(parser: Parser) -> None:
    protocol, transport = _protocol(parser)
    protocol.data_received(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 600)
    protocol.data_received(b"a" * 600)
    protocol.data_received(b"a" * 600)
    assert transport.closed
    _assert_problem(transport.sent, 431)
    protocol.connection_lost(None)


@pytest.mark.parametrize("parser", PARSERS)
async def test_protocol_keeps_bodies_out_of_the_count(parser: Parser) -> None:
    protocol, transport = _protocol(parser)
    body = b"x" * 64 * 1024  # arrives with the head, in one chunk: far past the cap
    protocol.data_received(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    for _ in range(50):
        if transport.sent:
            break
        await asyncio.sleep(0.01)
    assert transport.sent.startswith(b"HTTP/1.1 200 "), transport.sent
    await asyncio.sleep(0.3)  # past the head timeout: nothing more happens
    assert not transport.closed
    protocol.connection_lost(None)


async def test_protocol_class_survives_pickling_for_spawned_workers() -> None:
    cls = protocol_for(Settings(header_timeout_seconds=3, max_header_bytes=4096), "h11")
    assert pickle.loads(pickle.dumps(cls)) is cls
    assert issubclass(cls, H11HeadGuard)
    assert (cls.header_timeout, cls.max_header_bytes) == (3, 4096)


def test_serve_uses_the_protocol() -> None:
    options = server_options(Settings(header_timeout_seconds=2))
    assert options["http"] is protocol_for(Settings(header_timeout_seconds=2))
    cls = options["http"]
    assert issubclass(cls, HttpToolsHeadGuard) and cls.header_timeout == 2
    assert options["h11_max_incomplete_event_size"] == cls.max_header_bytes == 16 * 1024


def test_header_timeout_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROADSHEET_HEADER_TIMEOUT_SECONDS", "2.5")
    assert Settings().header_timeout_seconds == 2.5
    assert Settings.model_fields["header_timeout_seconds"].default == 10
    for out_of_bounds in ("0", "301"):
        monkeypatch.setenv("BROADSHEET_HEADER_TIMEOUT_SECONDS", out_of_bounds)
        with pytest.raises(ValidationError):
            Settings()
