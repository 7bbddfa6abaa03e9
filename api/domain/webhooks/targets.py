"""SSRF guard for webhook targets: public http(s) addresses only, unless allow-listed.

Checked when a subscription is created or changed and again before every delivery, since
what a name resolves to can change. Allow-list entries are host names, addresses or CIDR
ranges (``webhook_allowed_hosts``); tests and private deployments use it for loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

from api.errors import InvalidInput

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT_SECONDS = 3.0


class TargetRefused(Exception):
    """The URL may not be called; the message says why."""


def refusal_error(exc: TargetRefused, field: str = "url") -> InvalidInput:
    return InvalidInput.for_param(field, f"target refused: {exc}")


def _is_public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _is_public(address.ipv4_mapped)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _allowed(host: str, addresses: Sequence[IpAddress], allow: Sequence[str]) -> bool:
    """Every address is public, or the host or each address is on the allow-list."""
    names = {entry.lower().strip("[]") for entry in allow}
    if host in names:
        return True
    networks = []
    for entry in names:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return all(_is_public(a) or any(a in net for net in networks) for a in addresses)


async def _resolve(host: str, port: int) -> list[IpAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS
        )
    except (OSError, TimeoutError, UnicodeError) as exc:
        raise TargetRefused(f"host {host!r} does not resolve") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise TargetRefused(f"host {host!r} does not resolve")
    return addresses


async def check_target(url: str, allow: Sequence[str]) -> None:
    """Raise ``TargetRefused`` unless ``url`` may receive webhooks."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused("not a valid URL") from exc
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("only http and https targets are allowed")
    host = (parts.hostname or "").lower()
    if not host:
        raise TargetRefused("the URL has no host")
    addresses = await _resolve(host, port)
    if not _allowed(host, addresses, allow):
        raise TargetRefused(
            f"host {host!r} resolves to a private, loopback, link-local or reserved address; "
            "allow it with the webhook_allowed_hosts setting"
        )
