"""The SSRF guard on addresses that carry an IPv4 address, and the pinned delivery address."""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.db.database import Database
from api.domain.access import KeyRecord
from api.domain.articles import writes as article_writes
from api.domain.articles.inputs import ArticleCreate
from api.domain.webhooks.delivery import send
from api.domain.webhooks.targets import TargetRefused, check_target, embedded_ipv4
from api.domain.webhooks.worker import WebhookWorker
from api.models import KeyScope
from api.models.base import utcnow
from api.models.webhooks import WebhookDelivery, WebhookSubscription
from api.settings import Settings
from tests.fixtures.webhook_receiver import receiver

pytestmark = pytest.mark.anyio
ADMIN = KeyRecord("adminkey0000", "admin", KeyScope.ADMIN, utcnow(), None)
PUBLIC = "93.184.215.14"


@pytest.mark.parametrize(
    "url",
    [
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[2002:a00:1::1]/hook",  # 6to4 of 10.0.0.1
        "http://[2002:a9fe:a9fe::]/",  # 6to4 of 169.254.169.254
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata address
        "http://[64:ff9b:1::808:808]/",  # local-use NAT64: refused whatever it carries
        "http://[64:ff9b:1:7f00:1::]/",
        "http://[::ffff:a9fe:a9fe]/",  # IPv4-mapped
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[::ffff:0:7f00:1]/",  # IPv4-translated
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
        "http://[2606:4700::5efe:7f00:1]/",  # ISATAP interface id of 127.0.0.1
        "http://[2606:4700::200:5efe:a00:1]/",  # ISATAP (global bit) of 10.0.0.1
    ],
)
async def test_addresses_carrying_a_private_ipv4_address_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        await check_target(url, [])


async def test_addresses_carrying_a_public_ipv4_address_pass() -> None:
    (address,) = (await check_target("http://[2002:808:808::1]/", [])).addresses
    assert str(address) == "2002:808:808::1"
    await check_target("http://[2606:4700::1111]/hook", [])


def test_the_carried_ipv4_addresses() -> None:
    def carried(text: str) -> list[str]:
        return [str(a) for a in embedded_ipv4(ipaddress.IPv6Address(text))]

    assert carried("2002:7f00:1::") == ["127.0.0.1"]
    assert carried("64:ff9b::a9fe:a9fe") == ["169.254.169.254"]
    assert carried("2001:0:4136:e378:8000:63bf:80ff:fffe") == ["65.54.227.120", "127.0.0.1"]
    assert carried("2606:4700::5efe:a00:1") == ["10.0.0.1"]
    assert carried("2606:4700::1111") == []


@dataclass
class Resolver:
    """``getaddrinfo`` for one name: answers ``first`` once (the check), then ``later``."""

    name: str
    first: str
    later: str
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> str:
        with self.lock:
            self.calls += 1
            return self.first if self.calls == 1 else self.later


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    """``rebind.example`` resolves to a public address once, to loopback afterwards.

    Patched at ``socket.getaddrinfo``, which the guard's lookup and httpx's own connect
    both end at, so a second lookup anywhere would see loopback.
    """
    real = socket.getaddrinfo
    stub = Resolver("rebind.example", PUBLIC, "127.0.0.1")

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in (stub.name, stub.name.encode()):
            return real(stub.answer(), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return stub


async def test_a_delivery_goes_to_the_checked_address_with_the_name_kept(
    rebinding: Resolver,
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        outcome = await send(
            client,
            url="https://rebind.example:8443/hook?x=1",
            secret="whsec_" + "A" * 32,
            message_id="m1",
            payload={"type": "article.created"},
            allow=[],
            timeout_seconds=5,
        )
    assert outcome.ok
    (request,) = seen
    assert (request.url.host, request.url.port) == (PUBLIC, 8443)
    assert request.url.raw_path == b"/hook?x=1"
    assert request.headers["host"] == "rebind.example:8443"
    assert request.extensions["sni_hostname"] == "rebind.example"  # TLS checks the name
    assert rebinding.calls == 1  # resolved once, by the check


async def test_the_next_checked_address_is_tried_when_one_refuses_the_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = socket.getaddrinfo
    answers = ["2606:4700::1111", PUBLIC]

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "two.example":
            return [info for a in answers for info in real(a, port, *args, **kwargs)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    tried: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        tried.append(request.url.host)
        if request.url.host != PUBLIC:
            raise httpx.ConnectError("Network is unreachable", request=request)
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        outcome = await send(
            client,
            url="http://two.example/hook",
            secret="whsec_" + "A" * 32,
            message_id="m1",
            payload={},
            allow=[],
            timeout_seconds=5,
        )
    assert outcome.ok
    assert tried == answers


async def test_a_name_rebound_to_loopback_after_the_check_is_never_called(
    database: Database, settings: Settings, rebinding: Resolver
) -> None:
    """The check sees a public address; a second lookup would see the loopback receiver."""
    reached_public: list[httpx.Request] = []
    network = httpx.AsyncHTTPTransport()

    class Transport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.host == PUBLIC:  # stands in for the public server: no real traffic
                reached_public.append(request)
                return httpx.Response(204)
            return await network.handle_async_request(request)

    with receiver() as hook:
        port = httpx.URL(hook.url).port
        async with database.session(write=True) as session:
            sub = WebhookSubscription(  # saved earlier, when the name was still public
                url=f"http://rebind.example:{port}/hook",
                event_types=["article.created"],
                secret="whsec_" + "A" * 32,
                active=True,
                version=1,
            )
            session.add(sub)
            item = {
                "url": "https://news.example/1",
                "title": "Story",
                "source": {"slug": "wire", "name": "Wire", "homepage_url": "https://w.example"},
                "published_at": "2026-05-01T12:00:00Z",
                "importance": 5,
                "summary": "A summary.",
            }
            await article_writes.create_article(session, ArticleCreate.model_validate(item))
        client = httpx.AsyncClient(transport=Transport())
        worker = WebhookWorker(database, settings, client=client)
        try:
            assert await worker.run_once() == 1
        finally:
            await worker.aclose()
            await network.aclose()
    assert hook.accepted() == [] and not hook.requests  # loopback never reached
    (request,) = reached_public
    assert request.headers["host"] == f"rebind.example:{port}"
    async with database.session() as session:
        (row,) = (await session.scalars(select(WebhookDelivery))).all()
    assert row.status == "succeeded"
    assert rebinding.calls == 1
