"""The access gate: authenticate a presented key, enforce read access, count the request.

A pure ASGI middleware (no BaseHTTPMiddleware): it runs on every request, so it adds no
task or body buffering. The resolved key (or None) is left in ``request.state.api_key``;
write routes check its scope themselves.

A caller without a valid key counts against its client address under the anonymous
policy, whatever it presented: refused requests (a bad key, a key in the URL, two keys)
included, so guessing keys costs quota like any anonymous call. Keys that failed their
lookup are counted apart as well; once an address has spent the anonymous quota on them,
the keys it presents are refused before they are looked up in the database (except keys
this worker has seen valid).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access.credentials import presented_token, refuse_keys_in_url
from api.access.keys_cache import KeyResolver
from api.access.rate_limit import RateLimiter, Verdict
from api.access.refusals import rate_limited, refuse
from api.db.database import Database
from api.db.faults import db_fault
from api.domain.access import KeyRecord
from api.errors import BroadsheetError, Forbidden, Unauthenticated
from api.models import KeyScope
from api.observability.app import METRICS_PATH
from api.settings import Settings

# Orchestrators probe these; they are never limited or gated.
PROBE_PATHS = frozenset({"/healthz", "/readyz"})
# The API's own documentation stays readable when reads need a key.
PUBLIC_PREFIXES = ("/docs", "/openapi.")


class Refused(Exception):
    """A refusal and the verdict of the count it cost (for the rate-limit headers)."""

    def __init__(self, error: BroadsheetError, verdict: Verdict | None) -> None:
        super().__init__(error.detail)
        self.error = error
        self.verdict = verdict


class AccessMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.limiter = RateLimiter(settings) if settings.rate_limit_enabled else None
        self._resolver: KeyResolver | None = None

    def _keys(self, scope: Scope) -> KeyResolver:
        if self._resolver is None:  # the database exists once the lifespan has started
            database: Database = scope["app"].state.db
            self._resolver = KeyResolver(database)
        return self._resolver

    def _needs_key(self, path: str) -> BroadsheetError | None:
        if path == METRICS_PATH and self.settings.metrics_require_key:
            return Unauthenticated(detail="metrics are served only to a request with an API key")
        if self.settings.require_key_for_reads and not path.startswith(PUBLIC_PREFIXES):
            return Unauthenticated(detail="this server requires an API key for every request")
        return None

    async def _count(self, identity: str, *, keyed: bool) -> Verdict | None:
        return None if self.limiter is None else await self.limiter.hit(identity, keyed=keyed)

    async def _key(self, scope: Scope, token: str, address: str) -> KeyRecord:
        resolver = self._keys(scope)
        # Failed lookups have a count of their own: anonymous calls from a shared address
        # (a NAT) must not lock out a key, but a key guesser is stopped before the database.
        failures = f"failed-{address}"
        if self.limiter is not None and not resolver.vouched(token):
            spent = await self.limiter.exhausted(failures)
            if spent is not None:
                raise Refused(rate_limited(spent), spent)
        key = await resolver.resolve(token)
        if key is None:
            await self._count(failures, keyed=False)
            raise Unauthenticated(detail="unknown or revoked API key")
        return key

    async def _admit(self, scope: Scope) -> tuple[KeyRecord | None, Verdict | None]:
        """The caller's key and the verdict of its count; raises ``Refused``."""
        client = scope.get("client")
        address = f"ip:{client[0] if client else 'unknown'}"
        try:
            refuse_keys_in_url(scope.get("query_string", b""))
            token = presented_token(scope["headers"])
            if token is None:
                missing = self._needs_key(scope["path"])
                if missing is not None:
                    raise missing
                key = None
            else:
                key = await self._key(scope, token, address)
        except BroadsheetError as error:  # counted as the anonymous call it is
            verdict = await self._count(address, keyed=False)
            if verdict is not None and not verdict.allowed:
                raise Refused(rate_limited(verdict), verdict) from None
            raise Refused(error, verdict) from None
        if key is None:
            verdict = await self._count(address, keyed=False)
        else:
            verdict = await self._count(f"key:{key.key_id}", keyed=True)
            if not key.scope.allows(KeyScope.READ):
                raise Refused(Forbidden(detail="this key may not read"), verdict)
        if verdict is not None and not verdict.allowed:
            raise Refused(rate_limited(verdict), verdict)
        return key, verdict

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["path"] in PROBE_PATHS:
            try:
                refuse_keys_in_url(scope.get("query_string", b""))
            except BroadsheetError as error:
                await refuse(error, None, scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        try:
            key, verdict = await self._admit(scope)
        except Refused as refused:
            await refuse(refused.error, refused.verdict, scope, receive, send)
            return
        except Exception as exc:  # resolving the key needs the database: an outage is a 503
            fault = db_fault(exc)
            if fault is None:
                raise
            await refuse(fault, None, scope, receive, send)
            return
        scope.setdefault("state", {})["api_key"] = key
        await self.app(scope, receive, _with_headers(send, verdict))


def _with_headers(send: Send, verdict: Verdict | None) -> Send:
    if verdict is None:
        return send
    extra = verdict.headers()

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending
