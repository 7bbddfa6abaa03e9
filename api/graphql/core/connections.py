"""The one connection builder: a page of items as ``edges``, ``nodes`` and ``pageInfo``.

Paging is forward-only (``first``/``after``) on the domain's keyset cursors, so deep pages
cost what the first does. Every connection of the schema (articles, entities, search hits)
resolves from a ``Connection``: the feature says how an item gives its cursor and its node,
and this builds the edges, the nodes and the page info alike for all of them. Cursors are
computed only when selected; ``totalCount`` runs its COUNT only when selected.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")
N = TypeVar("N")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool = strawberry.field(
        description="Always false: paging is forward-only (`first`/`after`)."
    )
    start_cursor: str | None
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


def itself(item: T) -> T:
    """The node of a page whose items are the nodes themselves."""
    return item


@dataclass(frozen=True, slots=True)
class Edge(Generic[T, N]):
    """What an ``...Edge`` type reads: the page's item, its node, and its cursor."""

    item: T
    node: N
    cursor_of: Callable[[T], str]

    @property
    def cursor(self) -> str:
        return self.cursor_of(self.item)


@dataclass(slots=True)
class Connection(Generic[T, N]):
    """What a ``...Connection`` type reads: one page of ``items``, in order.

    ``next_cursor`` is the domain's cursor for the page after this one (None on the last);
    ``count``, when the connection has ``totalCount``, counts every match (not just this page).
    """

    items: Sequence[T]
    next_cursor: str | None
    cursor_of: Callable[[T], str]
    node_of: Callable[[T], N]
    count: Callable[[], Awaitable[int]] | None = None

    @property
    def edges(self) -> list[Edge[T, N]]:
        return [Edge(item, self.node_of(item), self.cursor_of) for item in self.items]

    @property
    def nodes(self) -> list[N]:
        return [self.node_of(item) for item in self.items]

    @property
    def page_info(self) -> PageInfo:
        if not self.items:
            return PageInfo(
                has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
            )
        return PageInfo(
            has_next_page=self.next_cursor is not None,
            has_previous_page=False,
            start_cursor=self.cursor_of(self.items[0]),
            end_cursor=self.next_cursor or self.cursor_of(self.items[-1]),
        )

    async def total_count(self) -> int:
        if self.count is None:
            raise RuntimeError("this connection has no totalCount")
        return await self.count()
