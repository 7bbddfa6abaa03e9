"""One delivery attempt over HTTP: re-check the target, sign, POST, classify the answer.

The POST goes to the address the check approved, never to a second lookup of the name:
the URL carries that address, while the ``Host`` header, TLS SNI and the certificate check
still name the host, so a name that rebinds between check and connect gains nothing.
"""

from __future__ import annotations

import contextlib
import ipaddress
import time
from collections.abc import Sequence
from typing import Any

import httpx
import orjson

from api.domain.shared.outbox_worker import Attempt
from api.domain.webhooks import signing as webhook_signing
from api.domain.webhooks.targets import IpAddress, Target, TargetRefused, check_target

# Attempt is the outbox workers' shared outcome, named here too.
__all__ = ["MAX_ERROR_LENGTH", "Attempt", "new_client", "pinned", "send"]

MAX_ERROR_LENGTH = 500


def new_client() -> httpx.AsyncClient:
    """The delivery client: no redirects, no proxies from the environment, and no kept
    connections. Its pool is keyed by address, so a TLS connection kept for one host name
    could otherwise carry a delivery meant for another name at the same address."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


def pinned(target: Target, address: IpAddress) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """The URL with a checked address as its host, the ``Host`` header and the request
    extensions that keep naming the original host to the server and to TLS."""
    url = httpx.URL(target.url)
    host = url.raw_host.decode("ascii")
    extensions: dict[str, Any] = {}
    try:
        ipaddress.ip_address(host)
    except ValueError:  # a name: TLS sends it as SNI and checks the certificate against it
        extensions["sni_hostname"] = host
    return url.copy_with(host=str(address)), {"host": url.netloc.decode("ascii")}, extensions


async def send(
    client: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    message_id: str,
    payload: dict[str, Any],
    allow: Sequence[str],
    timeout_seconds: float,
) -> Attempt:
    """POST the event; 2xx is success, anything else (redirects too) a failed attempt."""
    try:
        target = await check_target(url, allow)  # again: what the name resolves to may change
    except TargetRefused as exc:
        return Attempt(False, error=f"target refused: {exc}")
    body = orjson.dumps(payload)
    headers = webhook_signing.headers(secret, message_id, int(time.time()), body)
    try:
        response = await _post(client, target, body, headers, timeout_seconds)
    except httpx.TimeoutException:
        return Attempt(False, error=f"timed out after {timeout_seconds:g}s")
    except httpx.HTTPError as exc:
        return Attempt(False, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH])
    if 200 <= response.status_code < 300:
        return Attempt(True, response.status_code)
    return Attempt(False, response.status_code, f"HTTP {response.status_code}")


async def _post(
    client: httpx.AsyncClient,
    target: Target,
    body: bytes,
    headers: dict[str, str],
    timeout_seconds: float,
) -> httpx.Response:
    """POST to the checked addresses in turn, as a resolver's caller would, until one takes
    the connection (an IPv6 address first on a host without an IPv6 route, say)."""
    *others, last = target.addresses
    for address in others:
        with contextlib.suppress(httpx.ConnectError):
            return await _post_to(client, target, address, body, headers, timeout_seconds)
    return await _post_to(client, target, last, body, headers, timeout_seconds)


async def _post_to(
    client: httpx.AsyncClient,
    target: Target,
    address: IpAddress,
    body: bytes,
    headers: dict[str, str],
    timeout_seconds: float,
) -> httpx.Response:
    url, host_header, extensions = pinned(target, address)
    return await client.post(
        url,
        content=body,
        headers=headers | host_header,
        extensions=extensions,
        timeout=timeout_seconds,
        follow_redirects=False,
    )
