"""A loopback webhook receiver for tests, and the webhooks guide's signature check."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from api.settings import Settings


def _readme_verify() -> Callable[[str, dict[str, str], bytes], bool]:
    """The receiver example of the webhooks guide, run as written: the docs cannot drift."""
    guide = Path(__file__).parent.parent / "docs" / "feeds-and-webhooks.md"
    (code,) = re.findall(r"```python\n(.*?def verify\(.*?)```", guide.read_text("utf-8"), re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    function: Callable[[str, dict[str, str], bytes], bool] = namespace["verify"]
    return function


verify = _readme_verify()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    url: str
    # Answer 500 to the first ``fail_first`` requests for each webhook-id.
    fail_first: int = 0
    received: list[Received] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[Received]:
        """Requests answered 2xx (each failed one is in ``requests`` only)."""
        with self.lock:
            return list(self.received)


@contextmanager
def receiver(fail_first: int = 0) -> Iterator[Receiver]:
    state = Receiver(url="", fail_first=fail_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            with state.lock:
                message = headers.get("webhook-id", "")
                state.requests[message] += 1
                fail = state.requests[message] <= state.fail_first
                if not fail:
                    state.received.append(Received(headers, body))
            self.send_response(500 if fail else 204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def loopback_settings(database_url: str) -> Settings:
    """The loopback receiver allowed past the SSRF guard; no backoff, so retries are due
    at once."""
    return Settings(
        database_url=database_url,
        webhook_allowed_hosts=["127.0.0.1"],
        webhook_backoff_base_seconds=0,
        webhook_backoff_max_seconds=0,
    )
