"""Waiting, in tests of real processes, for something another process does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll_until(
    condition: Callable[[], T],
    *,
    timeout: float,
    explain: Callable[[], str],
    every: float = 0.1,
) -> T:
    """`condition()`'s first true answer, asked every `every` seconds.

    After `timeout` seconds without one, an AssertionError says `explain()`
    (read only then: a log, a table). A condition that finds the wait
    hopeless (a process gone) fails it at once by raising.
    """
    deadline = time.monotonic() + timeout
    while True:
        answer = condition()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(explain())
        time.sleep(every)
