"""The one helper every ``Mutation`` field is made with: ``mutation``, and its ``write``.

A field made by ``mutation`` authorizes before its resolver even looks at the input (no
key: UNAUTHENTICATED; a key below the write scope: FORBIDDEN), so no mutation can write
without the write scope, and the auth sweep test (built from the schema) holds each of
them to it. An expected error (``api.errors``) then becomes the result union's
``MutationError``; anything else stays a (masked) server error.

Resolvers write through ``write``: one domain call inside a SAVEPOINT of the request's
writing transaction (a refused write leaves nothing, the request's earlier writes stay),
after which the loaders forget what they hold.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from strawberry.types.field import StrawberryField

from api.domain.access import KeyRecord
from api.errors import BroadsheetError, Forbidden, InvalidInput, Unauthenticated
from api.graphql.core.context import Info
from api.graphql.core.results import MutationError, mutation_error
from api.graphql.core.validation import field_errors
from api.models import KeyScope

P = ParamSpec("P")
S = TypeVar("S")
T = TypeVar("T")

# Description parts the mutations of every feature share.
EXPECTED_VERSION = "`expectedVersion` is the version you last saw; stale: PRECONDITION_FAILED."
UNCONDITIONAL_DELETE = "Without `expectedVersion` the delete is unconditional."


def authorize(request: Request) -> None:
    """REST's rule: no key is UNAUTHENTICATED, a key below the write scope FORBIDDEN."""
    key: KeyRecord | None = request.state.api_key
    if key is None:
        raise Unauthenticated(detail="mutations need an API key with the write scope")
    if not key.scope.allows(KeyScope.WRITE):
        raise Forbidden(detail=f"this key has the {key.scope} scope; write is needed")


def mutation(
    result: object, description: str
) -> Callable[[Callable[Concatenate[Info, P], Awaitable[S]]], StrawberryField]:
    """A ``Mutation`` field answering ``result``, a ``Success | MutationError`` union.

    The resolver keeps its signature (the field's arguments) and returns the success;
    it runs only once the request's key may write, and its expected errors are answered
    as the union's ``MutationError``.
    """

    def field(resolver: Callable[Concatenate[Info, P], Awaitable[S]]) -> StrawberryField:
        @functools.wraps(resolver)
        async def guarded(info: Info, *args: P.args, **kwargs: P.kwargs) -> S | MutationError:
            try:
                authorize(info.context.request)
                success = await resolver(info, *args, **kwargs)
            except BroadsheetError as error:
                return mutation_error(error)
            if hasattr(success, "position"):  # the successes of logged writes
                position = info.context.run.position
                success.position = None if position is None else str(position)
            return success

        return strawberry.field(guarded, graphql_type=result, description=description)

    return field


@contextmanager
def under(prefix: str) -> Iterator[None]:
    """The domain's field names as paths under an argument (``input.mentions[0]...``)."""
    try:
        yield
    except InvalidInput as error:
        raise field_errors(error, prefix) from None


async def write(
    info: Info,
    paths: str | None,
    function: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """``function`` run in a SAVEPOINT; the loaders then forget what it may have changed.

    ``paths`` names the argument the domain's field names are under (``"input."``; ``""``
    for names that are paths already), or None to report them as the domain does.
    """
    run = info.context.run
    if paths is None:
        done = await run.savepoint(function, *args, **kwargs)
    else:
        with under(paths):
            done = await run.savepoint(function, *args, **kwargs)
    info.context.forget_loaded()
    return done
