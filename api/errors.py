"""One exception hierarchy for the whole service; each error knows its HTTP status.

The domain raises these; REST renders them as RFC 9457 problem+json and GraphQL as typed
errors with ``extensions.code``. Neither door invents its own error classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class InvalidParam:
    """One offending input: where it was (``name``) and what is wrong with it."""

    name: str
    reason: str


@dataclass
class BroadsheetError(Exception):
    detail: str
    status: int = 500
    code: str = "INTERNAL_SERVER_ERROR"
    title: str = "Internal server error"

    def __str__(self) -> str:
        return self.detail


@dataclass
class InvalidInput(BroadsheetError):
    invalid_params: list[InvalidParam] = field(default_factory=list)
    status: int = 422
    code: str = "BAD_USER_INPUT"
    title: str = "Invalid input"

    @classmethod
    def for_param(cls, name: str, reason: str, *, status: int = 422) -> InvalidInput:
        return cls(
            detail=f"{name}: {reason}", invalid_params=[InvalidParam(name, reason)], status=status
        )


@dataclass
class NotFound(BroadsheetError):
    status: int = 404
    code: str = "NOT_FOUND"
    title: str = "Not found"


@dataclass
class Unauthenticated(BroadsheetError):
    status: int = 401
    code: str = "UNAUTHENTICATED"
    title: str = "Authentication required"


@dataclass
class Forbidden(BroadsheetError):
    status: int = 403
    code: str = "FORBIDDEN"
    title: str = "Forbidden"


@dataclass
class Conflict(BroadsheetError):
    status: int = 409
    code: str = "CONFLICT"
    title: str = "Conflict"


@dataclass
class Gone(BroadsheetError):
    status: int = 410
    code: str = "GONE"
    title: str = "Gone"


@dataclass
class PreconditionFailed(BroadsheetError):
    status: int = 412
    code: str = "PRECONDITION_FAILED"
    title: str = "Precondition failed"


@dataclass
class PreconditionRequired(BroadsheetError):
    status: int = 428
    code: str = "PRECONDITION_REQUIRED"
    title: str = "Precondition required"


@dataclass
class ServiceUnavailable(BroadsheetError):
    status: int = 503
    code: str = "SERVICE_UNAVAILABLE"
    title: str = "Service unavailable"
    # Seconds a client should wait before retrying (sent as Retry-After by both doors).
    retry_after: int = 1
