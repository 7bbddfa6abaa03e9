"""The input rules every feature shares: slugs, names, URLs, timestamps, bounded numbers.

Bounds mirror the column sizes, so anything that validates here fits the tables: bad input
is a field error, never a database error. Both doors validate through these types.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_HTTP_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


def _reject_nul(value: Any) -> Any:
    # PostgreSQL refuses NUL in text; caught here it is a field error, not a 500.
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("nul_byte", "Text must not contain NUL bytes (\\x00)")
    return value


def _http_url(value: str) -> str:
    """Check an absolute http(s) URL, keeping the caller's string: it is the dedup key.

    Only the scheme and host are lowercased (they are case-insensitive); anything more
    aggressive could merge URLs the publisher considers different.
    """
    if not value.lower().startswith(("http://", "https://")):
        raise PydanticCustomError("url_scheme", "URL should start with http:// or https://")
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\x7f" for ch in value):
        raise PydanticCustomError("url_parsing", "URL must not contain whitespace or controls")
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise PydanticCustomError(
            "url_parsing", "Invalid URL: {reason}", {"reason": reason}
        ) from None
    scheme, _, rest = value.partition("://")
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    userinfo, at, host = rest[:end].rpartition("@")
    if not host:
        raise PydanticCustomError("url_parsing", "URL should have a host")
    return f"{scheme.lower()}://{userinfo}{at}{host.lower()}{rest[end:]}"


def _aware(value: Any, handler: ValidatorFunctionWrapHandler) -> dt.datetime:
    # Lax pydantic reads a number as Unix time; the schema says an RFC 3339 string.
    if isinstance(value, int | float):
        raise PydanticCustomError("datetime_type", "Expected an RFC 3339 timestamp string")
    try:
        result: dt.datetime = handler(value)
    except ValidationError as exc:
        if any(error["type"] == "timezone_aware" for error in exc.errors()):
            raise PydanticCustomError(
                "timezone_aware",
                "Timestamp must carry a time zone (e.g. 'Z' or '+02:00'); naive is ambiguous",
            ) from None
        raise
    return result


NoNul = BeforeValidator(_reject_nul)
ArticleSlug = Annotated[str, StringConstraints(max_length=200, pattern=SLUG_PATTERN), NoNul]
RefSlug = Annotated[str, StringConstraints(max_length=100, pattern=SLUG_PATTERN), NoNul]
EntitySlug = Annotated[str, StringConstraints(max_length=120, pattern=SLUG_PATTERN), NoNul]
# Published (not enforced: the validators give the better message) so the schema says what
# is refused: text is stripped before min_length counts, NUL is never stored, and text must
# hold a visible character. The blanks are what pydantic strips (Unicode White_Space),
# spelled out (ECMA's \s differs), then the invisible format characters.
_BLANK = (
    r"\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    r"\u200b-\u200d\u2060\ufeff"
)
_VISIBLE = re.compile(rf"[^{_BLANK}]")
_NOT_BLANK = Field(json_schema_extra={"pattern": rf"^[^\u0000]*[^\u0000{_BLANK}][^\u0000]*$"})
_NO_NUL = Field(json_schema_extra={"pattern": r"^[^\u0000]*$"})


def _visible(value: str) -> str:
    # Stripping takes only Unicode White_Space; text of nothing but invisible format
    # characters (zero-width space and joiners, word joiner, BOM) is just as blank.
    if not _VISIBLE.search(value):
        raise PydanticCustomError("blank", "Text must contain a visible character")
    return value


Visible = AfterValidator(_visible)
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul, Visible, _NOT_BLANK]
Title = Annotated[str, StringConstraints(min_length=1, max_length=500), NoNul, Visible, _NOT_BLANK]
Author = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul, Visible, _NOT_BLANK]
ImageCredit = Annotated[
    str, StringConstraints(min_length=1, max_length=300), NoNul, Visible, _NOT_BLANK
]
LongText = Annotated[
    str, StringConstraints(min_length=1, max_length=10_000), NoNul, Visible, _NOT_BLANK
]
Takeaway = Annotated[
    str, StringConstraints(min_length=1, max_length=500), NoNul, Visible, _NOT_BLANK
]
Language = Annotated[
    str, StringConstraints(max_length=16, pattern=r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$"), NoNul
]
Icon = Annotated[str, StringConstraints(max_length=16), NoNul, _NO_NUL]
Ticker = Annotated[str, StringConstraints(min_length=1, max_length=20), NoNul, Visible, _NOT_BLANK]
WikidataId = Annotated[str, StringConstraints(max_length=20, pattern=r"^Q[1-9][0-9]*$"), NoNul]
WebUrl = Annotated[
    str,
    StringConstraints(max_length=2048),
    AfterValidator(_http_url),
    NoNul,
    # A URI, and only an http(s) one with a host: the pattern is published (unenforced) like
    # the blanks', so generated clients and the contract fuzzer never send "http://".
    Field(json_schema_extra={"format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#:@\\s]"}),
]
PublishedAt = Annotated[AwareDatetime, WrapValidator(_aware)]


def _integral(value: Any) -> Any:
    # JSON Schema counts 6.0 as an integer; strictness is for "6" and true, not for that.
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Numbers are strict, as the published schema types them: "0.5", true or "7" are refused
# rather than coerced (an integer is still a valid number).
Unit = Annotated[float, Strict(), Field(ge=0, le=1)]
Importance = Annotated[int, Strict(), Field(ge=1, le=10), BeforeValidator(_integral)]
SentimentScore = Annotated[float, Strict(), Field(ge=-1, le=1)]


class InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


def omit_or_value(*names: str) -> Callable[[dict[str, Any]], None]:
    """JSON Schema of a partial change whose ``names`` may be left out but never null.

    The model declares them ``X | None = None`` (None meaning "not sent") and refuses an
    explicit null; without this the published schema would invite the null it refuses.
    """

    def adjust(schema: dict[str, Any]) -> None:
        for name in names:
            prop = schema["properties"][name]
            branches = [b for b in prop.pop("anyOf", [prop]) if b.get("type") != "null"]
            prop.pop("default", None)
            if len(branches) == 1:
                prop.update(branches[0])
            else:
                prop["anyOf"] = branches

    return adjust


def refuse_null(value: Any) -> Any:
    """A field validator for partial changes: a field may be left out, never set to null."""
    if value is None:
        raise PydanticCustomError("not_null", "Field may be omitted but not set to null")
    return value
