"""Per-request context: the request's one session, guarded by a lock, and its DataLoaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from api.graphql.loaders import Loaders

P = ParamSpec("P")
T = TypeVar("T")


class SessionGate:
    """Runs domain functions on the request's session, one at a time, to completion.

    An AsyncSession cannot run two statements at once, while strawberry resolves sibling
    fields concurrently (loaders of different fields dispatch in the same tick), so every
    domain call goes through this lock.
    """

    __slots__ = ("_lock", "_session")

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._lock = asyncio.Lock()

    async def __call__(
        self,
        function: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        async with self._lock:
            call = asyncio.ensure_future(function(self._session, *args, **kwargs))
            try:
                return await asyncio.shield(call)
            except asyncio.CancelledError:
                # graphql-core cancels sibling fields when one fails. A statement cut off
                # mid-flight invalidates the transaction, so let it finish, then give up.
                await asyncio.wait([call])
                if not call.cancelled():
                    call.exception()  # retrieved here: nobody is left to receive it
                raise


@dataclass(slots=True)
class Context:
    request: Request
    run: SessionGate
    loaders: Loaders


def build_context(request: Request, session: AsyncSession) -> Context:
    run = SessionGate(session)
    return Context(request=request, run=run, loaders=Loaders(run))


Info = StrawberryInfo[Context, None]
