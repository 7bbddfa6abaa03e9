"""The demo's batches made in a child process while this one writes the previous ones.

Generating and clustering a batch is pure Python; writing it is mostly the database's
work plus the driver's. On two threads the interpreter lock serialises them (the writer,
which releases the lock for every row it steps, then waits for it each time), so the
generation runs in a forked child and hands each batch over ready to run: a load takes
about the longer of the two instead of their sum. At most ``depth`` batches wait, which
bounds the memory held. Where ``fork`` does not exist the batches are made in-process.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = "done"
_FAILED = "failed"


class ProducerFailed(RuntimeError):
    """The child making the batches raised; the message carries its traceback."""


def produced(make: Callable[[], Iterator[T]], *, depth: int = 2) -> Generator[T, None, None]:
    """The items of ``make()``, computed in a forked child process, in order."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from make()
        return
    context = multiprocessing.get_context("fork")
    channel: Any = context.Queue(maxsize=depth)
    child = context.Process(target=_produce, args=(make, channel), daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload = channel.get(timeout=1.0)
            except queue.Empty:
                if not child.is_alive():
                    raise ProducerFailed(f"batch producer exited ({child.exitcode})") from None
                continue
            if kind == _DONE:
                return
            if kind == _FAILED:
                raise ProducerFailed(payload)
            yield payload
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        channel.close()


def _produce(make: Callable[[], Iterator[Any]], channel: Any) -> None:
    try:
        for item in make():
            channel.put(("item", item))
    except BaseException:  # reported to the parent, which raises it
        channel.put((_FAILED, traceback.format_exc()))
    else:
        channel.put((_DONE, None))
    channel.close()
    channel.join_thread()
