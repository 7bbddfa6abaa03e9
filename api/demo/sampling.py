"""Cheap draws for the hot loop: plain indexing and bisect on precomputed cumulative weights.

``random.Random.choices`` and ``choice`` do the same work with several layers of argument
handling per call; at millions of draws per corpus that overhead dominates.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
Random = Callable[[], float]


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def zipf_cum_weights(count: int, s: float) -> list[float]:
    """Cumulative weights for P(rank r) ∝ 1 / r**s, r = 1..count."""
    return cumulative([1.0 / rank**s for rank in range(1, count + 1)])


def pick(random_: Random, items: Sequence[T], cum_weights: Sequence[float]) -> T:
    return items[bisect_right(cum_weights, random_() * cum_weights[-1])]


def one_of(random_: Random, items: Sequence[T]) -> T:
    return items[int(random_() * len(items))]
