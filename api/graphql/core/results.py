"""What a refused mutation answers: ``MutationError``, the member every result union shares.

Expected failures (bad input, stale version, missing key...) are data a client branches
on, so they are union members with a code enum, never top-level errors; anything else stays
a (masked) server error. The codes are those of ``api.errors``, so they read like REST's.
Each feature declares its own success types and unions beside its mutations.
"""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from api.errors import BroadsheetError, InvalidInput


@strawberry.enum(description="Why a mutation was refused; REST answers these with the status.")
class MutationErrorCode(enum.Enum):
    BAD_USER_INPUT = "BAD_USER_INPUT"  # 422 (400 for a malformed key or cursor)
    NOT_FOUND = "NOT_FOUND"  # 404
    GONE = "GONE"  # 410: the article was deleted
    CONFLICT = "CONFLICT"  # 409
    PRECONDITION_FAILED = "PRECONDITION_FAILED"  # 412: `expectedVersion` is stale
    UNAUTHENTICATED = "UNAUTHENTICATED"  # 401
    FORBIDDEN = "FORBIDDEN"  # 403


@strawberry.type(description="One offending input: its path and what is wrong with it.")
class InvalidParam:
    name: str = strawberry.field(description="A path such as `input.mentions[0].salience`.")
    reason: str


@strawberry.type(description="A refused mutation: nothing it asked for was written.")
class MutationError:
    code: MutationErrorCode
    message: str
    field: str | None = strawberry.field(
        description="The first offending argument or input path, when there is one."
    )
    invalid_params: list[InvalidParam]


# The ``position`` field of the successes whose writes the changes log records.
POSITION = (
    "The changes-log position of this request's writes (null when they left no entry). "
    "Send it back in the `Broadsheet-Position` header and reads see these writes, "
    "read replicas or not."
)


@strawberry.type(description="A deletion; the changes log carries a `DELETED` entry.")
class DeleteSuccess:
    id: str = strawberry.field(description="The article's public id, or the slug.")
    position: str | None = strawberry.field(default=None, description=POSITION)


DeleteResult = Annotated[DeleteSuccess | MutationError, strawberry.union("DeleteResult")]
_CODES = {code.value: code for code in MutationErrorCode}


def mutation_error(error: BroadsheetError) -> MutationError:
    """The union member for an expected error; any other error is re-raised (a 5xx's kind)."""
    code = _CODES.get(error.code)
    if code is None:
        raise error
    params: list[InvalidParam] = []
    if isinstance(error, InvalidInput):
        params = [InvalidParam(name=p.name, reason=p.reason) for p in error.invalid_params]
    return MutationError(
        code=code,
        message=error.detail,
        field=params[0].name if params else None,
        invalid_params=params,
    )
