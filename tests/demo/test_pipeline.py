"""Batches made in a child process arrive in order; a failure there is raised here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.demo.pipeline import ProducerFailed, produced


def _numbers() -> Iterator[dict[str, int]]:
    for n in range(50):
        yield {"n": n}


def _fails_midway() -> Iterator[int]:
    yield 1
    yield 2
    raise LookupError("generator broke at 3")


def test_items_arrive_in_order() -> None:
    assert [item["n"] for item in produced(_numbers)] == list(range(50))


def test_a_failure_in_the_child_is_raised_after_what_it_made() -> None:
    items = produced(_fails_midway)
    assert [next(items), next(items)] == [1, 2]
    with pytest.raises(ProducerFailed, match="LookupError: generator broke at 3"):
        next(items)


def test_stopping_early_ends_the_child() -> None:
    items = produced(_numbers, depth=1)
    assert next(items) == {"n": 0}
    items.close()  # the consumer gave up (say, a write failed): the child must not linger
