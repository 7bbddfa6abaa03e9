"""How the access gate says no: problem+json over HTTP, a refused handshake for a WebSocket.

On ``/graphql`` the problem document also carries a GraphQL ``errors`` member (an RFC 9457
extension), so a GraphQL client finds ``extensions.code`` where it looks for it.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from api.access.rate_limit import Verdict
from api.errors import BroadsheetError, ServiceUnavailable
from api.http.problems import problem_response

GRAPHQL_PATH = "/graphql"
# RFC 6455 7.4.1: the message broke a policy (a bad key, over the limit).
WS_POLICY_VIOLATION = 1008
WS_TRY_AGAIN_LATER = 1013


def rate_limited(verdict: Verdict) -> BroadsheetError:
    return BroadsheetError(
        detail=f"rate limit of {verdict.quota} requests per {verdict.window_seconds} s "
        f"exceeded; retry in {max(1, verdict.reset_seconds)} s",
        status=429,
        code="RATE_LIMITED",
        title="Too many requests",
    )


def refusal_response(exc: BroadsheetError, path: str, verdict: Verdict | None) -> Response:
    headers = {k.decode(): v.decode() for k, v in verdict.headers()} if verdict else {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"  # RFC 9110 15.5.2
    if exc.status == 429 and verdict is not None:
        headers["Retry-After"] = str(max(1, verdict.reset_seconds))
    if isinstance(exc, ServiceUnavailable):
        headers["Retry-After"] = str(exc.retry_after)
    params = getattr(exc, "invalid_params", None)
    invalid = [{"name": p.name, "reason": p.reason} for p in params] if params else None
    members: dict[str, Any] | None = None
    if path == GRAPHQL_PATH:
        members = {"errors": [{"message": exc.detail, "extensions": {"code": exc.code}}]}
    return problem_response(
        exc.status,
        exc.detail,
        title=exc.title,
        invalid_params=invalid,
        headers=headers,
        members=members,
    )


async def refuse(
    exc: BroadsheetError, verdict: Verdict | None, scope: Scope, receive: Receive, send: Send
) -> None:
    if scope["type"] == "websocket":
        # Before the handshake is accepted: the client sees HTTP 403.
        code = WS_TRY_AGAIN_LATER if exc.status == 503 else WS_POLICY_VIOLATION
        await send({"type": "websocket.close", "code": code})
        return
    await refusal_response(exc, scope["path"], verdict)(scope, receive, send)
