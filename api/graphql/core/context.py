"""Per-request context: the request's one session, guarded by a lock, and its DataLoaders.

The endpoint opens the session (a writing one for mutations) and commits or rolls it back
once; mutations write through ``SessionGate.savepoint`` so a failed one leaves nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from api.domain.changes import written_position
from api.graphql.core.loaders import Loaders

P = ParamSpec("P")
T = TypeVar("T")


class SessionGate:
    """Runs domain functions on the request's session, one at a time, to completion.

    An AsyncSession cannot run two statements at once, while strawberry resolves sibling
    fields concurrently (loaders of different fields dispatch in the same tick), so every
    domain call goes through this lock.
    """

    __slots__ = ("_lock", "_session", "writable")

    def __init__(self) -> None:
        # Bound by the endpoint once it knows the operation (a mutation needs a writer).
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        # Whether the endpoint opened a writing transaction (and will commit it).
        self.writable = False

    def bind(self, session: AsyncSession, *, writable: bool) -> None:
        self._session, self.writable = session, writable

    @property
    def position(self) -> int | None:
        """The changes-log position of the writes made so far (a mutation's answer)."""
        return None if self._session is None else written_position(self._session)

    def _bound(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("no session: the endpoint binds one before execution")
        return self._session

    async def __call__(
        self,
        function: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        async with self._lock:
            call = asyncio.ensure_future(function(self._bound(), *args, **kwargs))
            try:
                return await asyncio.shield(call)
            except asyncio.CancelledError:
                # graphql-core cancels sibling fields when one fails. A statement cut off
                # mid-flight invalidates the transaction, so let it finish, then give up.
                await asyncio.wait([call])
                if not call.cancelled():
                    call.exception()  # retrieved here: nobody is left to receive it
                raise

    async def savepoint(
        self,
        function: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run a domain write inside a SAVEPOINT: if it raises, none of its writes remain,
        while the request's earlier writes stay for the commit at the edge."""
        if not self.writable:  # a read transaction is rolled back: the write would be lost
            raise RuntimeError("a write outside a mutation's writing transaction")

        async def nested(session: AsyncSession) -> T:
            async with session.begin_nested():
                return await function(session, *args, **kwargs)

        return await self(nested)


@dataclass(slots=True)
class Context:
    request: Request
    run: SessionGate
    loaders: Loaders

    def forget_loaded(self) -> None:
        """Drop the loaders' caches: after a write they could serve what it changed."""
        self.loaders = Loaders(self.run)


def build_context(request: Request) -> Context:
    run = SessionGate()
    return Context(request=request, run=run, loaders=Loaders(run))


Info = StrawberryInfo[Context, None]
