"""The cyclic garbage collector, paced for thousands of long-lived sockets.

An open WebSocket here is about 130 objects the collector tracks (daphne's
request and channel, autobahn's protocol, Twisted's transport, the Channels
consumer with its tasks and coroutines), living as long as the socket.
CPython runs a full collection whenever the long-lived objects have grown
by a quarter, and each one scans all of them: at 10,000 sockets a full pass
held the loop for 0.3–0.8 s (every broadcast and every answer waited
meanwhile), and 10,000 arrivals paid about 5 s of such passes.

So what sockets bring is frozen (`gc.freeze`: never scanned again) rather
than scanned over and over:

* arrivals are frozen once they pause (SETTLE_SECONDS without one) or every
  FREEZE_EVERY arrivals, after a collection of the young generations;
* frozen objects that later become cyclic garbage (about half of a closed
  socket's objects are in reference cycles) are reclaimed by one full pass
  (unfreeze, collect, freeze again) once a quarter of the sockets frozen
  have closed (CPython's own quarter, counted in sockets), and at least
  every FULL_EVERY_SECONDS when anything was frozen or closed since the
  last one, so nothing frozen is kept for longer than that.

A server that only gains sockets never pays a full pass; one with churn
pays about as often as before, not once more for every quarter of growth.
"""

from __future__ import annotations

import asyncio
import gc
import time
from types import ModuleType
from typing import Any

from metrics import GC_FULL_PASS

FREEZE_EVERY = 500
SETTLE_SECONDS = 0.5
FULL_EVERY_SECONDS = 600.0
# Below this many closed sockets a full pass is not worth its pause.
MIN_CLOSED = 256


class GcPacer:
    """Counts the sockets that open and close; freezes and collects.

    Runs on the serving loop: every freeze and full pass is a loop callback,
    never inside a protocol's own call.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, collector: Any = gc) -> None:
        self.loop = loop
        self.gc: ModuleType = collector
        self.open = 0
        self.arrived = 0  # since the last freeze
        self.frozen = 0  # sockets frozen since the last full pass, or open at it
        self.closed = 0  # since the last full pass
        self.full_passes = 0
        self._last_arrival = 0.0
        self._settle: asyncio.TimerHandle | None = None
        self._freeze_soon = False
        self._full_soon = False
        self._since_full = False  # anything frozen or closed since the last
        self._timer = loop.call_later(FULL_EVERY_SECONDS, self._timed_full)

    def opened(self) -> None:
        self.open += 1
        self.arrived += 1
        self._last_arrival = self.loop.time()
        if self.arrived >= FREEZE_EVERY:
            if not self._freeze_soon:
                self._freeze_soon = True
                self.loop.call_soon(self.freeze)
        elif self._settle is None:
            self._settle = self.loop.call_later(SETTLE_SECONDS, self._settled)

    def closed_one(self) -> None:
        self.open = max(0, self.open - 1)
        self.closed += 1
        self._since_full = True
        if self.closed >= max(MIN_CLOSED, self.frozen // 4) and not self._full_soon:
            self._full_soon = True
            self.loop.call_soon(self.full_pass)

    def _settled(self) -> None:
        self._settle = None
        quiet_for = self.loop.time() - self._last_arrival
        if quiet_for < SETTLE_SECONDS:
            # Arrivals still coming: look again once they may have paused.
            self._settle = self.loop.call_later(
                SETTLE_SECONDS - quiet_for, self._settled
            )
            return
        self.freeze()

    def freeze(self) -> None:
        """Freeze what the arrivals since the last freeze brought."""
        self._freeze_soon = False
        if not self.arrived:
            return
        # The young generations only: their garbage need not be frozen, and
        # scanning them costs what they hold, not what is frozen.
        self.gc.collect(1)
        self.gc.freeze()
        self.frozen += self.arrived
        self.arrived = 0
        self._since_full = True

    def full_pass(self) -> None:
        """Collect everything once, frozen included; freeze what is left."""
        self._full_soon = False
        started = time.perf_counter()
        self.gc.unfreeze()
        self.gc.collect()
        self.gc.freeze()
        GC_FULL_PASS.observe(time.perf_counter() - started)
        self.full_passes += 1
        self.frozen = self.open
        self.arrived = 0
        self.closed = 0
        self._since_full = False

    def _timed_full(self) -> None:
        self._timer = self.loop.call_later(FULL_EVERY_SECONDS, self._timed_full)
        if self._since_full:
            self.full_pass()

    def stop(self) -> None:
        self._timer.cancel()
        if self._settle is not None:
            self._settle.cancel()
