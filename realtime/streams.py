"""One event's stream of changes in this process, from the layer to the sockets.

Changes reach a worker from two sides: its own, straight from the hub, and
everyone else's through the channel layer, later. A `Stream` takes them in
whatever order they come and hands the sockets what they can apply:

1. in version order (realtime.sequencing), waiting GAP_WAIT_SECONDS for a
   version that has not come, then reading what it changed back from the
   database (`read_back`, seats.catchup) and sending that as one frame, or,
   if the database cannot say, passing the gap on for clients to resync;
2. through the broadcast window: a change to a quiet event goes out at
   once and opens a window; changes within it wait for its end and go as
   one frame per unbroken run of versions (`wire.frames.coalesced`), each
   seat once in its latest state, which opens the next window. A window
   stretches while writing to the sockets is slow (`window_after`), so a
   worker with thousands of them spends a bounded share of its time, and
   its browsers of their CPU, on frames;
3. one flush at a time, so frames keep their order even while one is being
   written.

Everything it sends goes through one callback (`deliver`): the hub's
fan-out to the group's sockets. A change made in this process travels with
its frame already parsed; one from the layer is parsed only if it is folded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings

from metrics import BROADCAST_CATCHUPS, BROADCAST_GAPS, BROADCAST_WINDOW
from realtime.sequencing import Sequencer
from seats.catchup import CatchUp
from wire import frames

logger = logging.getLogger(__name__)

# How long changes wait for a version before them that has not come (a lost
# publish) before it is read back from the database; the bundled client
# waits 1 s before it resyncs over a gap.
GAP_WAIT_SECONDS = 0.5

SEATS_CHANGED = "seats.changed"


@dataclass(slots=True)
class Change:
    """One version of an event as it travels: its frame's text, and the frame
    itself when this process built it (nothing is parsed twice)."""

    version: int
    text: str
    frame: dict[str, Any] | None = None
    kind: str = SEATS_CHANGED  # or plan.changed: never folded

    def parsed(self) -> Any:
        return self.frame if self.frame is not None else json.loads(self.text)


# Writes one frame to the sockets; returns the seconds spent writing, or
# None for the time the call took (a fan-out in chunks lets the loop do other
# work in between, which is not writing).
Deliver = Callable[[str], Awaitable[float | None]]


def window_after(write_seconds: float) -> float:
    """The broadcast window to open after a write to the sockets that took
    `write_seconds`: SEAT_BROADCAST_WINDOW_SECONDS at least, stretched so
    the writing is at most SEAT_BROADCAST_WRITE_SHARE of the time, and
    SEAT_BROADCAST_WINDOW_MAX_SECONDS at most (the lag a change may wait)."""
    least = settings.SEAT_BROADCAST_WINDOW_SECONDS
    share = settings.SEAT_BROADCAST_WRITE_SHARE
    if share <= 0:
        return least
    most = max(least, settings.SEAT_BROADCAST_WINDOW_MAX_SECONDS)
    return min(most, max(least, write_seconds / share))


ReadBack = Callable[[int], Awaitable[CatchUp | None]]


class Stream:
    """One event group's changes: ordered, caught up, windowed, flushed."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        deliver: Deliver,
        read_back: ReadBack,
    ) -> None:
        self.loop = loop
        self._deliver = deliver
        self._read_back = read_back
        self.sequencer: Sequencer[Change] = Sequencer()
        self._gap_timer: asyncio.TimerHandle | None = None
        self._catching_up = False
        # Changes waiting out the broadcast window; None while it is closed.
        self._waiting: list[Change] | None = None
        self._window: asyncio.TimerHandle | None = None
        self._flushing: asyncio.Task[None] | None = None
        self._closed = False
        # How long the last send or flush took to write to the sockets.
        self._write_seconds = 0.0

    @property
    def gap_pending(self) -> bool:
        """Whether a give-up (and a read back) is due for a missing version."""
        return self._gap_timer is not None or self._catching_up

    async def push(self, change: Change) -> None:
        """Take one change; whatever is ready goes out now or after the window."""
        ready = self.sequencer.add(change.version, change)
        self._watch_gap()
        now = self._route(ready)
        if now:
            spent = 0.0
            for going in now:
                spent += await self._send(going.text)
            self._write_seconds = spent

    def close(self) -> None:
        """Stop every timer and flush: nobody is left to send to."""
        self._closed = True
        for timer in (self._gap_timer, self._window):
            if timer is not None:
                timer.cancel()
        self._gap_timer = self._window = None
        if self._flushing is not None:
            self._flushing.cancel()
        self._waiting = None

    def _route(self, changes: list[Change]) -> list[Change]:
        """Of changes in order, those to send now; the rest wait in the window."""
        now = []
        for change in changes:
            if self._window_open():
                assert self._waiting is not None
                self._waiting.append(change)
            else:
                now.append(change)
        return now

    def _window_open(self) -> bool:
        """Whether this change must wait for the broadcast window.

        A throttle with a leading edge: a change to a quiet event goes out at
        once and opens a window; changes within it wait for its end and go
        as one frame per run, which opens the next window. So a quiet event
        costs no latency and a busy one at most one frame per window.
        """
        if self._waiting is not None:
            return True
        if settings.SEAT_BROADCAST_WINDOW_SECONDS > 0:
            self._open_window()
        return False

    def _open_window(self) -> None:
        window = window_after(self._write_seconds)
        BROADCAST_WINDOW.observe(window)
        self._waiting = []
        self._window = self.loop.call_later(window, self._window_ends)

    def _window_ends(self) -> None:
        waiting, self._waiting, self._window = self._waiting, None, None
        if not waiting or self._closed:
            return
        # What waited goes now and opens the next window.
        self._open_window()
        self._chain(waiting)

    def _chain(self, changes: list[Change]) -> None:
        """Send `changes` (folded) once the previous flush is done."""
        if not changes:
            return
        previous = self._flushing
        self._flushing = self.loop.create_task(self._flush(changes, previous))

    async def _flush(
        self, changes: list[Change], previous: asyncio.Task[None] | None
    ) -> None:
        """One frame per unbroken run of seat changes; a plan change on its own.

        One change alone goes out as it came (its text); several are folded
        by `frames.coalesced` and serialised once for every socket.
        """
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        if self._closed:
            return
        self._write_seconds = await self._flush_now(changes)

    async def _flush_now(self, changes: list[Change]) -> float:
        """Sends `changes`; returns the seconds spent writing them."""
        spent = 0.0
        run: list[Change] = []
        for change in changes:
            if change.kind == SEATS_CHANGED:
                run.append(change)
                continue
            spent += await self._send_folded(run)
            run = []
            spent += await self._send(change.text)
        return spent + await self._send_folded(run)

    async def _send_folded(self, run: list[Change]) -> float:
        if len(run) == 1:
            return await self._send(run[0].text)
        spent = 0.0
        if run:
            for frame in frames.coalesced([change.parsed() for change in run]):
                spent += await self._send(frames.dumps(frame))
        return spent

    async def _send(self, text: str) -> float:
        """One frame to the sockets; the seconds spent writing it."""
        started = time.perf_counter()
        spent = await self._deliver(text)
        return spent if spent is not None else time.perf_counter() - started

    def _watch_gap(self) -> None:
        if self._catching_up or self._closed:
            return  # _catch_up watches again when it is done
        if self.sequencer.waiting and self._gap_timer is None:
            self._gap_timer = self.loop.call_later(GAP_WAIT_SECONDS, self._gap_timeout)
        elif not self.sequencer.waiting and self._gap_timer is not None:
            self._gap_timer.cancel()
            self._gap_timer = None

    def _gap_timeout(self) -> None:
        self._gap_timer = None
        if self._catching_up or self._closed:
            return
        BROADCAST_GAPS.inc(self.sequencer.missing)
        self._catching_up = True
        self.loop.create_task(self._catch_up())

    async def _catch_up(self) -> None:
        """A version did not come in time (a publish lost on the way).

        What the event's changes since did is read back and sent as one
        coalesced frame, so the sockets stay in step without a resync; what
        waited behind the gap and is covered by it is dropped. Only if the
        database cannot say (down, or a new seating plan in the range) is
        the rest passed on with the gap, for clients to resync.
        """
        try:
            if not self.sequencer.waiting:
                # The gap closed between the give-up and this task's start.
                BROADCAST_CATCHUPS.labels("late").inc()
                return
            caught = await self._reading_back()
            if self._closed:
                return
            if caught is None:
                BROADCAST_CATCHUPS.labels("skipped").inc()
                ready = self.sequencer.give_up()
            elif caught.version <= self._sent_up_to():
                # The missing versions came while they were read back, and
                # went out: the read says nothing the sockets lack.
                BROADCAST_CATCHUPS.labels("late").inc()
                ready = self.sequencer.caught_up(caught.version)
            else:
                BROADCAST_CATCHUPS.labels("filled").inc()
                filled = self._filled(caught)
                ready = [filled, *self.sequencer.caught_up(caught.version)]
            self._chain(self._route(ready))
        finally:
            self._catching_up = False
            self._watch_gap()

    def _filled(self, caught: CatchUp) -> Change:
        """The frame of what was read back, from the first version not sent.

        Versions that came while it was read went out on their own; the
        frame starts after them, so no socket gets a version twice. Its
        seats stay as read (each in its state now, at least as new as the
        frame's last version), which any client at the version before
        applies to the truth.
        """
        sent_up_to = self._sent_up_to()
        if caught.from_version <= sent_up_to:
            caught = replace(caught, from_version=sent_up_to + 1)
        frame = frames.caught_up(caught)
        return Change(caught.version, frames.dumps(frame), dict(frame))

    def _sent_up_to(self) -> int:
        """The last version passed on in order (0 before the first)."""
        return (self.sequencer.next or 1) - 1

    async def _reading_back(self) -> CatchUp | None:
        if self.sequencer.next is None:
            return None
        try:
            return await self._read_back(self.sequencer.next - 1)
        except Exception:
            logger.warning("reading back a lost change failed", exc_info=True)
            return None
