"""realtime.gc_pacing: sockets' objects frozen, full passes rare and counted."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from realtime import gc_pacing
from realtime.gc_pacing import GcPacer


class Collector:
    """The calls a pacer makes of the gc module, in order."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def collect(self, generation: int = 2) -> int:
        self.calls.append(f"collect({generation})")
        return 0

    def freeze(self) -> None:
        self.calls.append("freeze")

    def unfreeze(self) -> None:
        self.calls.append("unfreeze")


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(gc_pacing, "SETTLE_SECONDS", 0.05)
    monkeypatch.setattr(gc_pacing, "FREEZE_EVERY", 10)
    monkeypatch.setattr(gc_pacing, "MIN_CLOSED", 4)
    monkeypatch.setattr(gc_pacing, "FULL_EVERY_SECONDS", 0.3)


async def test_arrivals_are_frozen_once_they_pause(fast):
    fake = Collector()
    loop = asyncio.get_running_loop()
    pacer = GcPacer(loop, fake)
    for _ in range(3):
        pacer.opened()
    assert fake.calls == []  # nothing inside a protocol's own call
    pacer._last_arrival = loop.time()  # one more just now: still arriving
    pacer._settled()
    assert fake.calls == [] and pacer._settle is not None  # looked at later
    await asyncio.sleep(0.2)
    assert fake.calls == ["collect(1)", "freeze"]  # the young ones, then frozen
    assert (pacer.frozen, pacer.arrived) == (3, 0)
    pacer.stop()


async def test_a_burst_is_frozen_every_so_many_arrivals_without_waiting(
    fast, monkeypatch
):
    monkeypatch.setattr(gc_pacing, "SETTLE_SECONDS", 0.3)
    fake = Collector()
    pacer = GcPacer(asyncio.get_running_loop(), fake)
    for _ in range(25):
        pacer.opened()
        await asyncio.sleep(0)  # one loop turn each, no pause
    assert fake.calls.count("freeze") == 2 and pacer.frozen == 20
    await asyncio.sleep(0.6)  # the rest once they pause
    assert fake.calls.count("freeze") == 3 and pacer.frozen == 25
    pacer.stop()


async def test_a_quarter_of_the_frozen_sockets_closing_brings_one_full_pass(fast):
    fake = Collector()
    pacer = GcPacer(asyncio.get_running_loop(), fake)
    for _ in range(40):
        pacer.opened()
    await asyncio.sleep(0)
    assert pacer.frozen == 40
    fake.calls.clear()
    for _ in range(9):
        pacer.closed_one()
    await asyncio.sleep(0)
    assert fake.calls == [] and pacer.full_passes == 0  # 9 of 40: not yet
    pacer.closed_one()
    pacer.closed_one()  # asked twice before it runs: one pass
    await asyncio.sleep(0)
    assert fake.calls == ["unfreeze", "collect(2)", "freeze"]
    assert (pacer.full_passes, pacer.frozen, pacer.closed) == (1, 29, 0)
    pacer.stop()


async def test_a_few_closes_wait_for_the_timed_pass_and_a_quiet_server_has_none(
    fast,
):
    fake = Collector()
    pacer = GcPacer(asyncio.get_running_loop(), fake)
    await asyncio.sleep(0.35)  # nothing opened or closed: no pass
    assert pacer.full_passes == 0 and fake.calls == []
    pacer.closed_one()  # below MIN_CLOSED
    await asyncio.sleep(0)
    assert pacer.full_passes == 0
    await asyncio.sleep(0.35)
    assert pacer.full_passes == 1 and fake.calls[-1] == "freeze"
    pacer.stop()


async def test_frozen_garbage_waits_for_a_full_pass_and_is_reclaimed_by_it(fast):
    """The real collector: a socket's reference cycle, frozen with the
    arrivals, outlives ordinary collections and not a full pass."""

    class Node:
        pass

    pacer = GcPacer(asyncio.get_running_loop())
    try:
        cycle = Node()
        cycle.me = cycle  # type: ignore[attr-defined]
        alive = weakref.ref(cycle)
        frozen_before = gc.get_freeze_count()
        pacer.opened()
        await asyncio.sleep(0.1)
        assert gc.get_freeze_count() > frozen_before
        del cycle
        gc.collect()
        assert alive() is not None  # frozen: not scanned
        pacer.full_pass()
        assert alive() is None
    finally:
        pacer.stop()
        gc.unfreeze()
