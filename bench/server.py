"""Server subprocesses for the load runs, and peak-RSS sampling of their process tree."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

READY_TIMEOUT_SECONDS = 60.0
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def http_get(url: str, *, timeout: float = 10.0) -> tuple[int, bytes]:
    """Status and body of a GET; an HTTP error status is returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (our URL)
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def http_post_json(url: str, body: bytes, *, timeout: float = 30.0) -> tuple[int, bytes]:
    """Status and body of a JSON POST; an HTTP error status is returned, not raised."""
    request = urllib.request.Request(  # noqa: S310 (our URL)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Server:
    """``uvicorn TARGET --factory`` on a free port, ready once ``ready_path`` answers 200.

    The same command serves the app and the baselines, so only the code under test differs.
    A subclass may run another command (``command``, ``is_ready``): the peer in bench.peer.
    """

    def __init__(
        self,
        target: str,
        *,
        workers: int,
        env: dict[str, str],
        log_path: Path,
        ready_path: str = "/readyz",
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.target = target
        self.extra_args = extra_args
        self.workers = workers
        self.env = env
        self.log_path = log_path
        self.ready_path = ready_path
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", self.target, "--factory",
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
            "--no-access-log", "--log-level", "warning", "--no-server-header",
            *self.extra_args,
        ]  # fmt: skip

    def is_ready(self) -> bool:
        return http_get(self.base_url + self.ready_path, timeout=2)[0] == 200

    def __enter__(self) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = self.command()
        with self.log_path.open("wb") as log:
            # A session of its own: stopping it can never reach the harness or its siblings.
            self._process = subprocess.Popen(  # noqa: S603 (fixed argv)
                command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.target} exited at startup:\n{tail}")
            try:
                if self.is_ready():
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.target} not ready after {READY_TIMEOUT_SECONDS:.0f}s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        # uvicorn's supervisor stops its workers on SIGTERM; the group kill is the fallback.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces or parentheses; fields resume after the last ")".
        ppid = int(stat.rpartition(")")[2].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_bytes(root: int) -> int:
    """Sum of VmRSS over ``root`` and all its descendants (0 for a vanished process)."""
    tree = _children()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(tree.get(pid, ()))
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
                break
    return total


class RssSampler:
    """Samples a process tree's RSS every ``interval`` seconds; ``peak`` since ``reset()``."""

    def __init__(self, root: int, interval: float = 0.1) -> None:
        self.root = root
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        self.peak = tree_rss_bytes(self.root)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, tree_rss_bytes(self.root))
