"""Reading a JSON request body: media type, size, encoding and schema, each a clear 4xx."""

from __future__ import annotations

from typing import TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from api.domain.articles import error_path
from api.errors import BroadsheetError, InvalidInput, InvalidParam

M = TypeVar("M", bound=BaseModel)
JSON_TYPES = ("application/json", "application/merge-patch+json")


def _unsupported(detail: str) -> BroadsheetError:
    return BroadsheetError(
        detail=detail, status=415, code="UNSUPPORTED_MEDIA_TYPE", title="Unsupported media type"
    )


def _check_media_type(request: Request) -> None:
    raw = request.headers.get("content-type")
    if raw is None:
        raise _unsupported("send the body as application/json")
    media_type, _, params = raw.partition(";")
    if media_type.strip().lower() not in JSON_TYPES:
        raise _unsupported(f"{media_type.strip()!r} is not accepted; send application/json")
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            raise _unsupported("JSON bodies must be UTF-8")


async def _read_limited(request: Request, max_bytes: int) -> bytes:
    too_large = BroadsheetError(
        detail=f"request body larger than {max_bytes} bytes",
        status=413,
        code="PAYLOAD_TOO_LARGE",
        title="Content too large",
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # counted as it arrives: Content-Length can lie
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def read_body(request: Request, *, max_bytes: int) -> bytes:
    """The raw JSON body, after the media type and size checks."""
    _check_media_type(request)
    return await _read_limited(request, max_bytes)


def parse_json_body(raw: bytes, model: type[M]) -> M:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput.for_param(
            "body", f"not valid UTF-8 at byte {exc.start}", status=400
        ) from None
    if "\x00" in text:
        raise InvalidInput.for_param("body", "NUL characters are not allowed", status=400)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput.for_param("body", f"malformed JSON: {exc}", status=400) from None
    if not isinstance(data, dict):
        raise InvalidInput.for_param("body", "must be a JSON object", status=422)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            InvalidParam(error_path(e["loc"]) or "body", e["msg"])
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise InvalidInput(
            detail="; ".join(f"{p.name}: {p.reason}" for p in problems[:5]),
            invalid_params=problems,
        ) from None
