"""The JSON formatter and the logging config `broadsheet serve` hands to uvicorn."""

from __future__ import annotations

import importlib
import logging
import sys

import orjson

from api.observability.logging_setup import (
    JsonFormatter,
    TextFormatter,
    current_request_id,
    logging_config,
)
from api.settings import Settings


def record(message: str, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("broadsheet.x", logging.WARNING, __file__, 1, message, (), None)
    made.__dict__.update(extra)
    return made


def test_json_lines_carry_fields_and_the_current_request_id() -> None:
    token = current_request_id.set("rid-1")
    try:
        line = JsonFormatter().format(record("hello %s", fields={"status": 200}))
    finally:
        current_request_id.reset(token)
    entry = orjson.loads(line)
    assert entry["level"] == "warning"
    assert entry["logger"] == "broadsheet.x"
    assert entry["request_id"] == "rid-1"
    assert entry["status"] == 200
    assert entry["ts"].endswith("+00:00")
    assert "\n" not in line
    outside = orjson.loads(JsonFormatter().format(record("no request")))
    assert "request_id" not in outside


def test_exceptions_stay_on_one_line() -> None:
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        failing = record("failed", exc_info=sys.exc_info())
    line = JsonFormatter().format(failing)
    assert "\n" not in line
    assert "ValueError: bad" in orjson.loads(line)["exc"]


def test_text_format_for_terminals() -> None:
    line = TextFormatter().format(record("hi", fields={"route": "/v1/articles"}))
    assert "WARNING broadsheet.x [-] hi route=/v1/articles" in line


def test_the_config_names_importable_formatters_and_silences_uvicorn_access() -> None:
    for fmt, expected in (("json", JsonFormatter), ("text", TextFormatter)):
        config = logging_config("warning", fmt)  # type: ignore[arg-type]
        module, _, name = config["formatters"]["default"]["()"].rpartition(".")
        assert getattr(importlib.import_module(module), name) is expected
        assert config["root"]["level"] == "WARNING"
        assert config["loggers"]["uvicorn.access"]["propagate"] is False


def test_levels_and_formats_are_case_insensitive() -> None:
    settings = Settings(log_level="INFO", log_format="Text")
    assert (settings.log_level, settings.log_format) == ("info", "text")
