"""Reading a GraphQL request: its body within the size limit, strict UTF-8 JSON, clean text.

Each refusal here answers before any GraphQL runs, with a GraphQL error body whose
``extensions.code`` names what to fix: the endpoint renders ``RequestRefused``. The body
limit wraps the endpoint's ``receive``; strawberry calls the rest through the view's hooks
(``parse_json``, ``parse_http_body``).
"""

from __future__ import annotations

import json
import re

from cross_web import HTTPException
from starlette.datastructures import Headers
from starlette.types import Message, Receive
from strawberry.http import GraphQLRequestData

from api.graphql.core.errors import BAD_REQUEST, BAD_USER_INPUT, PAYLOAD_TOO_LARGE
from api.graphql.limits.rules import MAX_BODY_BYTES

# JSON can spell half of a UTF-16 pair alone (`"\ud800"`); decoded, it is a str that no
# UTF-8 encoder takes: not the response's (which echoes names), not the database driver's.
_SURROGATE = re.compile("[\ud800-\udfff]")


class RequestRefused(HTTPException):
    """A request refused before it runs, with the code a client can act on."""

    def __init__(self, status_code: int, reason: str, code: str = BAD_REQUEST) -> None:
        super().__init__(status_code, reason)
        self.code = code


def limited(receive: Receive, headers: Headers) -> Receive:
    """The request's ``receive``, refusing a body past MAX_BODY_BYTES when it is read: by
    its Content-Length at once, then counted as it arrives (Content-Length can lie)."""
    declared = headers.get("content-length")
    too_long = declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES
    size = 0

    async def receive_limited() -> Message:
        nonlocal size
        if too_long:
            raise _too_large()
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > MAX_BODY_BYTES:
                raise _too_large()
        return message

    return receive_limited


def _too_large() -> RequestRefused:
    return RequestRefused(
        413,
        f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB; send large batches "
        "of writes to POST /v1/articles:batch.",
        PAYLOAD_TOO_LARGE,
    )


def parse_json(data: str | bytes) -> object:
    """A request's JSON: the POST body, or a GET's ``variables`` and ``extensions``."""
    if isinstance(data, bytes):
        try:
            # Strict: json.loads alone would let UTF-8-encoded surrogates through.
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RequestRefused(
                400, f"The request body is not valid UTF-8 (byte {error.start})."
            ) from None
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise RequestRefused(400, f"Unable to parse request body as JSON: {error}") from None
    except RecursionError:  # past the parser's stack
        raise RequestRefused(400, "The request's JSON is nested too deeply.") from None


def check_request(request: GraphQLRequestData) -> None:
    """Refuses what strawberry lets through but would fail later, as a 500 or worse."""
    operation_name: object = request.operation_name
    if not isinstance(operation_name, str | None):  # it is a cache key, and echoed
        raise RequestRefused(
            400, "The GraphQL operation's `operationName` must be a string or null, if provided."
        )
    where = _lone_surrogate(request)
    if where is not None:
        raise RequestRefused(
            400,
            f"{where}: holds a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape without its "
            "pair), which is not Unicode text.",
            BAD_USER_INPUT,
        )


def _lone_surrogate(request: GraphQLRequestData) -> str | None:
    """Which part of the request holds a lone surrogate (in a name, key or value), if any."""
    members = (
        ("query", request.query),
        ("operationName", request.operation_name),
        ("extensions", request.extensions),
    )
    for member, value in members:
        if _holds_surrogate(value):
            return member
    for name, value in (request.variables or {}).items():
        if _holds_surrogate(name):
            return "variables"  # the name itself: not to be echoed
        if _holds_surrogate(value):
            return f"${name}"
    return None


def _holds_surrogate(value: object) -> bool:
    stack = [value]
    while stack:  # no recursion: the JSON may nest as deep as its parser allowed
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
