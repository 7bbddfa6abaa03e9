"""The write lane: a few writers at once, first come first served, a full queue refused."""

from __future__ import annotations

import asyncio

import pytest

from api.db.write_lane import WriteLane
from api.errors import ServiceUnavailable

pytestmark = pytest.mark.anyio


async def _writer(lane: WriteLane, name: str, log: list[str], gate: asyncio.Event) -> None:
    async with lane.slot():
        log.append(f"{name} in")
        await gate.wait()
        log.append(f"{name} out")


async def test_writers_take_turns_in_arrival_order() -> None:
    lane = WriteLane(concurrency=1, queue_limit=10)
    log: list[str] = []
    gates = {name: asyncio.Event() for name in "abc"}
    tasks = []
    for name in "abc":
        tasks.append(asyncio.create_task(_writer(lane, name, log, gates[name])))
        await asyncio.sleep(0)
    assert (lane.running, lane.waiting) == (1, 2)
    for name in "cba":  # released out of order: the lane still admits in arrival order
        gates[name].set()
    await asyncio.gather(*tasks)
    assert log == ["a in", "a out", "b in", "b out", "c in", "c out"]
    assert (lane.running, lane.waiting) == (0, 0)


async def test_concurrency_slots_run_together() -> None:
    lane = WriteLane(concurrency=2, queue_limit=0)
    gate = asyncio.Event()
    log: list[str] = []
    first = asyncio.create_task(_writer(lane, "a", log, gate))
    second = asyncio.create_task(_writer(lane, "b", log, gate))
    await asyncio.sleep(0)
    assert log == ["a in", "b in"]
    with pytest.raises(ServiceUnavailable):  # both slots busy and no queue
        async with lane.slot():
            pass
    gate.set()
    await asyncio.gather(first, second)
    assert lane.running == 0


async def test_a_full_queue_refuses_at_once() -> None:
    lane = WriteLane(concurrency=1, queue_limit=1)
    gate = asyncio.Event()
    log: list[str] = []
    holder = asyncio.create_task(_writer(lane, "a", log, gate))
    queued = asyncio.create_task(_writer(lane, "b", log, gate))
    await asyncio.sleep(0)
    with pytest.raises(ServiceUnavailable) as refused:
        async with lane.slot():
            pass
    assert refused.value.status == 503 and "waiting" in refused.value.detail
    gate.set()
    await asyncio.gather(holder, queued)
    assert log == ["a in", "a out", "b in", "b out"]


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    lane = WriteLane(concurrency=1, queue_limit=5)
    gate = asyncio.Event()
    log: list[str] = []
    holder = asyncio.create_task(_writer(lane, "a", log, gate))
    quitter = asyncio.create_task(_writer(lane, "b", log, gate))
    after = asyncio.create_task(_writer(lane, "c", log, gate))
    await asyncio.sleep(0)
    quitter.cancel()
    await asyncio.sleep(0)
    assert lane.waiting == 1
    gate.set()
    await asyncio.gather(holder, after)
    assert log == ["a in", "a out", "c in", "c out"]
    assert (lane.running, lane.waiting) == (0, 0)


async def test_a_waiter_cancelled_as_its_turn_comes_passes_the_slot_on() -> None:
    lane = WriteLane(concurrency=1, queue_limit=5)
    gate = asyncio.Event()
    log: list[str] = []
    entered = asyncio.Event()

    async def holder() -> None:
        async with lane.slot():
            entered.set()
            await gate.wait()

    first = asyncio.create_task(holder())
    await entered.wait()
    woken = asyncio.create_task(_writer(lane, "b", log, gate))
    last = asyncio.create_task(_writer(lane, "c", log, gate))
    await asyncio.sleep(0)
    gate.set()
    await asyncio.sleep(0)  # the holder leaves and hands its slot to "b"...
    woken.cancel()  # ...which is cancelled before it could run
    await asyncio.gather(first, last)
    with pytest.raises(asyncio.CancelledError):
        await woken
    assert log == ["c in", "c out"]
    assert (lane.running, lane.waiting) == (0, 0)


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        WriteLane(concurrency=0, queue_limit=1)
