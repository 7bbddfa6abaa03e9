"""SSRF guard for webhook targets: public http(s) addresses only, unless allow-listed.

Checked when a subscription is created or changed and again before every delivery, since
what a name resolves to can change. The delivery then connects to an address that was
checked (``Target.addresses``), so a second lookup cannot rebind the name in between.
Allow-list entries are host names, addresses or CIDR ranges (``webhook_allowed_hosts``);
tests and private deployments use it for loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from api.errors import InvalidInput

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT_SECONDS = 3.0

_V6 = ipaddress.IPv6Network
# Prefixes whose addresses carry an IPv4 address in their last 32 bits: a packet sent to
# one may end up at that IPv4 address (a translator, a tunnel, a dual-stack socket).
_LOW_32_CARRIERS = (
    _V6("::/96"),  # IPv4-compatible (deprecated; automatic tunnels)
    _V6("::ffff:0:0:0/96"),  # IPv4-translated (SIIT)
    _V6("64:ff9b::/96"),  # NAT64, the well-known prefix
)
# NAT64 for local use: where the IPv4 address sits depends on the operator's prefix
# length, and the translator is on the operator's own network.
_LOCAL_NAT64 = _V6("64:ff9b:1::/48")
_ISATAP_IDS = (0x0000_5EFE, 0x0200_5EFE)  # an interface id of <these 32 bits><IPv4>


class TargetRefused(Exception):
    """The URL may not be called; the message says why."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: connect to one of ``addresses``, and nowhere else, to deliver to it."""

    url: str
    host: str
    port: int
    addresses: tuple[IpAddress, ...]


def refusal_error(exc: TargetRefused, field: str = "url") -> InvalidInput:
    return InvalidInput.for_param(field, f"target refused: {exc}")


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (6to4, Teredo, NAT64, ISATAP, ...)."""
    found: list[ipaddress.IPv4Address] = []
    low = ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    if any(address in net for net in _LOW_32_CARRIERS):
        found.append(low)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # the server, and the client (de-obfuscated)
    if (int(address) >> 32) & 0xFFFF_FFFF in _ISATAP_IDS:
        found.append(low)
    return found


def _is_public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # what a dual-stack socket calls the IPv4 address
            return _is_public(address.ipv4_mapped)
        if address in _LOCAL_NAT64:
            return False
        if not all(_is_public(v4) for v4 in embedded_ipv4(address)):
            return False
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


async def check_target(url: str, allow: Sequence[str]) -> Target:
    """The URL and the one address to deliver to; ``TargetRefused`` unless every address
    the host resolves to may receive webhooks."""
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
    return Target(url=url, host=host, port=port, addresses=tuple(dict.fromkeys(addresses)))
