"""The access gate: authenticate a presented key, enforce read access, count the request.

A pure ASGI middleware (no BaseHTTPMiddleware): it runs on every request, so it adds no
task or body buffering. The resolved key (or None) is left in ``request.state.api_key``;
write routes check its scope themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access.keys_cache import KeyResolver
from api.access.rate_limit import RateLimiter, Verdict
from api.db.database import Database
from api.db.faults import db_fault
from api.domain.access import KeyRecord
from api.errors import BroadsheetError, Forbidden, InvalidInput, Unauthenticated
from api.http.problems import problem_response
from api.models import KeyScope
from api.settings import Settings

# Orchestrators probe these; they are never limited or gated.
PROBE_PATHS = frozenset({"/healthz", "/readyz"})
# The API's own documentation stays readable when reads need a key.
PUBLIC_PREFIXES = ("/docs", "/openapi.")
URL_CREDENTIAL_PARAMS = frozenset({"api_key", "apikey", "api-key", "access_token", "token"})


def presented_token(headers: Headers) -> str | None:
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(detail="use 'Authorization: Bearer <key>'")
        return token.strip()
    return headers.get("x-api-key")


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

    async def _caller(self, scope: Scope) -> KeyRecord | None:
        query = scope.get("query_string", b"").decode("latin-1")
        if any(name.lower() in URL_CREDENTIAL_PARAMS for name, _ in parse_qsl(query)):
            raise InvalidInput.for_param(
                "api_key",
                "never put API keys in URLs; send 'Authorization: Bearer <key>'",
                status=400,
            )
        token = presented_token(Headers(scope=scope))
        if token is None:
            path: str = scope["path"]
            if self.settings.require_key_for_reads and not path.startswith(PUBLIC_PREFIXES):
                raise Unauthenticated(detail="this server requires an API key for every request")
            return None
        key = await self._keys(scope).resolve(token)
        if key is None:
            raise Unauthenticated(detail="unknown or revoked API key")
        if not key.scope.allows(KeyScope.READ):
            raise Forbidden(detail="this key may not read")
        return key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http" or scope["path"] in PROBE_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            key = await self._caller(scope)
        except BroadsheetError as exc:
            await _problem(exc, {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {})(
                scope, receive, send
            )
            return
        except Exception as exc:  # resolving the key needs the database: an outage is a 503
            fault = db_fault(exc)
            if fault is None:
                raise
            await _problem(fault, {"Retry-After": str(fault.retry_after)})(scope, receive, send)
            return
        scope.setdefault("state", {})["api_key"] = key
        verdict = None
        if self.limiter is not None:
            client = scope.get("client")
            identity = f"key:{key.key_id}" if key else f"ip:{client[0] if client else 'unknown'}"
            verdict = await self.limiter.hit(identity, keyed=key is not None)
        if verdict is not None and not verdict.allowed:
            headers = {k.decode(): v.decode() for k, v in verdict.headers()}
            headers["Retry-After"] = str(max(1, verdict.reset_seconds))
            limited = BroadsheetError(
                detail=f"rate limit of {verdict.quota} requests per {verdict.window_seconds} s "
                f"exceeded; retry in {headers['Retry-After']} s",
                status=429,
                code="RATE_LIMITED",
                title="Too many requests",
            )
            await _problem(limited, headers)(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(send, verdict))

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket handshake is gated like a request (key from its headers, one hit
        against the rate limit); a refused one is closed before it is accepted (HTTP 403)."""
        try:
            key = await self._caller(scope)
        except BroadsheetError:
            await send({"type": "websocket.close", "code": 1008})
            return
        scope.setdefault("state", {})["api_key"] = key
        if self.limiter is not None:
            client = scope.get("client")
            identity = f"key:{key.key_id}" if key else f"ip:{client[0] if client else 'unknown'}"
            verdict = await self.limiter.hit(identity, keyed=key is not None)
            if verdict is not None and not verdict.allowed:
                await send({"type": "websocket.close", "code": 1008})
                return
        await self.app(scope, receive, send)


def _problem(exc: BroadsheetError, headers: Mapping[str, str]) -> Response:
    params = getattr(exc, "invalid_params", None)
    invalid = [{"name": p.name, "reason": p.reason} for p in params] if params else None
    return problem_response(
        exc.status, exc.detail, title=exc.title, invalid_params=invalid, headers=headers
    )


def _with_headers(send: Send, verdict: Verdict | None) -> Send:
    if verdict is None:
        return send
    extra = verdict.headers()

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending
