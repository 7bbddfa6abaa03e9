"""Load generation with wrk: a Lua script per scenario, results read from its done() hook."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "wrk is not installed. Install it with `sudo apt-get install -y wrk` (Debian/Ubuntu), "
    "`brew install wrk` (macOS) or build it from https://github.com/wg/wrk"
)
_MARKER = "BENCH_JSON "

# The request list is formatted once per thread in init(); request() only rotates through it.
_LUA_TEMPLATE = """\
local specs = {
%(specs)s
}
local prepared = {}
local next_index = 0

function init(args)
  for i, spec in ipairs(specs) do
    local headers = {["Host"] = wrk.headers["Host"], ["Accept"] = "application/json"}
    if spec[3] then headers["Content-Type"] = "application/json" end
    prepared[i] = wrk.format(spec[1], spec[2], headers, spec[3])
  end
  -- Threads start at different points of the rotation.
  next_index = math.random(#prepared) - 1
end

function request()
  next_index = next_index %% #prepared + 1
  return prepared[next_index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(marker)s{"requests":%%d,"duration_us":%%d,"bytes":%%d,"p50_us":%%d,"p90_us":%%d,'
    .. '"p99_us":%%d,"max_us":%%d,"connect":%%d,"read":%%d,"write":%%d,"status":%%d,'
    .. '"timeout":%%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout))
end
"""


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    path: str
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # socket errors and timeouts
    non_2xx: int  # wrk counts status >= 400 here; 3xx never occur (no validators are sent)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _lua_string(value: bytes) -> str:
    # Decimal escapes for anything unusual: valid in every Lua version wrk may embed.
    out = []
    for byte in value:
        char = chr(byte)
        if 0x20 <= byte < 0x7F and char not in '"\\':
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(requests: list[HttpRequest]) -> str:
    if not requests:
        raise ValueError("a scenario needs at least one request")
    specs = ",\n".join(
        "  {"
        + ", ".join(
            (
                _lua_string(r.method.encode()),
                _lua_string(r.path.encode()),
                "nil" if r.body is None else _lua_string(r.body),
            )
        )
        + "}"
        for r in requests
    )
    return _LUA_TEMPLATE % {"specs": specs, "marker": _MARKER}


def run_wrk(
    base_url: str,
    script: Path,
    *,
    seconds: int,
    connections: int,
    threads: int,
    timeout_seconds: int = 5,
) -> WrkResult:
    binary = wrk_path()
    if binary is None:
        raise RuntimeError(INSTALL_HINT)
    command = [
        binary, f"-t{threads}", f"-c{max(connections, threads)}", f"-d{seconds}s",
        f"--timeout={timeout_seconds}s", "-s", str(script), base_url,
    ]  # fmt: skip
    completed = subprocess.run(  # noqa: S603 (fixed argv)
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in completed.stdout.splitlines():
        if line.startswith(_MARKER):
            data = json.loads(line.removeprefix(_MARKER))
            break
    else:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        non_2xx=data["status"],
    )
