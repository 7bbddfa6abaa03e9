"""What every mutation field does around its write: authorize, name fields, catch errors.

Every resolver on ``Mutation`` goes through ``attempt``: the key check runs before the
input is even looked at, so no mutation can write without the write scope, and the auth
sweep test (built from the schema) holds each of them to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from starlette.requests import Request

from api.domain.access import KeyRecord
from api.errors import BroadsheetError, Forbidden, InvalidInput, Unauthenticated
from api.graphql.articles.inputs import field_errors
from api.graphql.core.context import Info
from api.graphql.core.mutation_results import MutationError, mutation_error
from api.models import KeyScope

R = TypeVar("R")


def authorize(request: Request) -> None:
    """REST's rule: no key is UNAUTHENTICATED, a key below the write scope FORBIDDEN."""
    key: KeyRecord | None = request.state.api_key
    if key is None:
        raise Unauthenticated(detail="mutations need an API key with the write scope")
    if not key.scope.allows(KeyScope.WRITE):
        raise Forbidden(detail=f"this key has the {key.scope} scope; write is needed")


async def attempt(info: Info, action: Callable[[], Awaitable[R]]) -> R | MutationError:
    """Authorize, then act; an expected error becomes the result's ``MutationError``."""
    try:
        authorize(info.context.request)
        return await action()
    except BroadsheetError as error:
        return mutation_error(error)


@contextmanager
def under(prefix: str) -> Iterator[None]:
    """The domain's field names as paths under an argument (``input.mentions[0]...``)."""
    try:
        yield
    except InvalidInput as error:
        raise field_errors(error, prefix) from None
