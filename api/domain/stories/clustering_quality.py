"""How well a clustering matches a ground truth: pairwise precision/recall and B-cubed F1.

Pairwise: over all pairs of items, a pair is *predicted* when both are in one cluster and
*true* when both are in one true group; precision = true predicted / predicted, recall =
true predicted / true. B-cubed averages, per item, the precision and recall of its cluster
against its true group, which weighs every item equally however large its cluster.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
C = TypeVar("C", bound=Hashable)
G = TypeVar("G", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Quality:
    items: int
    precision: float
    recall: float
    bcubed_precision: float
    bcubed_recall: float

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def bcubed_f1(self) -> float:
        return _f1(self.bcubed_precision, self.bcubed_recall)


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def evaluate(predicted: Mapping[K, C], truth: Mapping[K, G]) -> Quality:
    """``predicted`` and ``truth`` map each item to its cluster / true group (same items)."""
    items = list(truth)
    joint = Counter((predicted[i], truth[i]) for i in items)
    cluster_sizes = Counter(predicted[i] for i in items)
    group_sizes = Counter(truth[i] for i in items)
    together = sum(_pairs(n) for n in joint.values())
    said = sum(_pairs(n) for n in cluster_sizes.values())
    true = sum(_pairs(n) for n in group_sizes.values())
    b_precision = b_recall = 0.0
    for (cluster, group), n in joint.items():
        # each of the n items sees n of its cluster's items in its own group
        b_precision += n * n / cluster_sizes[cluster]
        b_recall += n * n / group_sizes[group]
    count = len(items) or 1
    return Quality(
        items=len(items),
        precision=together / said if said else 1.0,
        recall=together / true if true else 1.0,
        bcubed_precision=b_precision / count,
        bcubed_recall=b_recall / count,
    )


def groups(assignment: Mapping[K, C]) -> set[frozenset[K]]:
    """The partition as a set of sets: equal for equal clusterings, whatever the ids."""
    found: dict[C, set[K]] = defaultdict(set)
    for item, cluster in assignment.items():
        found[cluster].add(item)
    return {frozenset(members) for members in found.values()}
