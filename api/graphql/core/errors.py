"""How errors reach clients: each carries ``extensions.code``; unexpected ones are masked.

The domain raises ``api.errors.BroadsheetError``; this door only translates it. The code
of every other error follows from the phase it happened in: parsing, validation (incl.
our limits), variable coercion, or execution.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError

from api.db.faults import db_fault
from api.errors import BroadsheetError, InvalidInput, InvalidParam, ServiceUnavailable

INTERNAL = "INTERNAL_SERVER_ERROR"
UNAVAILABLE = "SERVICE_UNAVAILABLE"
BAD_USER_INPUT = "BAD_USER_INPUT"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
# Refusals of the HTTP request itself, before any GraphQL ran.
BAD_REQUEST = "BAD_REQUEST"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # REST's code for the same refusal
# The document parsed, but the request does not pick exactly one of its operations (the
# name Apollo Server gives this error).
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
MASKED_MESSAGE = "Internal server error"


class Phase(Enum):
    PREPARE = "prepare"  # parse, validation, request limits: nothing ran
    VARIABLES = "variables"  # the document was fine, the variables were not
    EXECUTION = "execution"  # a field failed; others may have data


def bad_argument(name: str, reason: str) -> InvalidInput:
    return InvalidInput.for_param(name, reason)


@contextmanager
def argument_names(**renames: str) -> Iterator[None]:
    """Report the domain's parameter names (``cursor``) as this door's argument names."""
    try:
        yield
    except InvalidInput as error:
        params = [InvalidParam(renames.get(p.name, p.name), p.reason) for p in error.invalid_params]
        detail = "; ".join(f"{p.name}: {p.reason}" for p in params) or error.detail
        raise InvalidInput(detail=detail, invalid_params=params) from None


def _fault_of(error: GraphQLError) -> ServiceUnavailable | None:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return None
    if isinstance(original, BroadsheetError):
        return original if isinstance(original, ServiceUnavailable) else None
    return db_fault(original)


def should_mask(error: GraphQLError) -> bool:
    """Whether an exception nobody meant to show caused this error (masked, and logged)."""
    original = error.original_error
    if original is None or isinstance(original, BroadsheetError | GraphQLError):
        return False
    if _fault_of(error) is not None:  # an expected outage: answered as 503, not logged
        return False
    # A scalar refusing a variable's value explains the client's input: shown as is.
    return not (error.path is None and error.message.startswith("Variable '$"))


def error_code(error: GraphQLError, phase: Phase) -> str:
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    original = error.original_error
    if isinstance(original, BroadsheetError):
        return original.code
    if isinstance(error, GraphQLSyntaxError):
        return PARSE_FAILED
    if phase is Phase.VARIABLES:
        return BAD_USER_INPUT
    if phase is Phase.PREPARE:
        return VALIDATION_FAILED if original is None else INTERNAL
    # graphql-core's own execution-time argument checks (e.g. null for a non-null argument
    # with a default) are the only expected errors it raises without an original error.
    if original is None and error.message.startswith("Argument '"):
        return BAD_USER_INPUT
    return INTERNAL


def format_error(error: GraphQLError, phase: Phase, *, debug: bool) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    fault = _fault_of(error)
    if fault is not None:  # a retryable database fault: typed, and no driver text shown
        formatted["message"] = fault.detail
        formatted["extensions"] = {"code": fault.code}
        return formatted
    code = error_code(error, phase)
    extensions: dict[str, Any] = dict(formatted.get("extensions") or {})
    original = error.original_error
    if isinstance(original, InvalidInput) and original.invalid_params:
        extensions["argument"] = original.invalid_params[0].name
        extensions["invalidParams"] = [
            {"name": p.name, "reason": p.reason} for p in original.invalid_params
        ]
    if code == INTERNAL and not debug:
        formatted["message"] = MASKED_MESSAGE
        extensions = {}
    extensions["code"] = code
    formatted["extensions"] = extensions
    return formatted
