"""Graceful shutdown: on SIGTERM readiness turns false at once, then uvicorn drains.

uvicorn alone only runs the application's lifespan shutdown after every connection has
closed, so a load balancer polling ``/readyz`` would keep sending traffic while the worker
drains. ``GracefulServer`` flips ``draining`` as the signal arrives; uvicorn then stops
accepting connections, lets requests in flight finish (up to ``graceful_shutdown_seconds``)
and runs the lifespan shutdown, which disposes the engine.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Mapping
from types import FrameType
from typing import Any, TypedDict

import uvicorn

from api.edge.slow_clients import protocol_for
from api.settings import Settings


class Draining:
    """Per process: set once shutdown has begun; ``/readyz`` answers 503 from then on."""

    def __init__(self) -> None:
        self.active = False


draining = Draining()


class GracefulServer(uvicorn.Server):
    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        draining.active = True
        super().handle_exit(sig, frame)
        if sig == signal.SIGTERM:
            # A requested, completed drain is a clean exit (status 0): do not re-raise
            # SIGTERM after shutdown as uvicorn does by default.
            self._captured_signals.remove(sig)


class ServerOptions(TypedDict):
    timeout_keep_alive: int
    timeout_graceful_shutdown: int
    h11_max_incomplete_event_size: int
    http: type[asyncio.Protocol]
    forwarded_allow_ips: list[str]


def server_options(settings: Settings) -> ServerOptions:
    """uvicorn's limits for slow or idle clients and for the drain, from settings."""
    return ServerOptions(
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
        # h11's own cap on an incomplete head; the protocol enforces it on httptools too.
        h11_max_incomplete_event_size=settings.max_header_bytes,
        # Times the request head (uvicorn does not) and caps its size: 408 / 431.
        http=protocol_for(settings),
        # X-Forwarded-For is believed only from these peers. Not uvicorn's default
        # (loopback, or FORWARDED_ALLOW_IPS): anything reaching the worker through loopback,
        # a sidecar or a port forward, would pick the address it is rate-limited by.
        forwarded_allow_ips=list(settings.trusted_proxies),
    )


def serve(host: str, port: int, options: Mapping[str, Any]) -> None:
    """One worker, with readiness that turns false as soon as SIGTERM arrives.

    ``options``: further ``uvicorn.Config`` arguments (limits, logging).
    """
    config = uvicorn.Config(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=True,
        server_header=False,
        **options,
    )
    server = GracefulServer(config)
    server.run()
    if not server.started:
        sys.exit(3)  # uvicorn's own code for a failed startup
