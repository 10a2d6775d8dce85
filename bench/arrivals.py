"""What a generator process reads of the frames its watchers get.

A watcher's frame is told apart by its first characters (no JSON parsed),
and `Arrivals` says when every watcher of the process had each version.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


def is_heartbeat(text: str) -> bool:
    """Heartbeats keep clients in step; they are not pushes of changes."""
    return text.startswith('{"type":"heartbeat"')


def is_seats_changed(text: str) -> bool:
    # The standard baseline's frames come from json.dumps with its spaces.
    return text.startswith('{"type":') and "seats.changed" in text[:32]


class Arrivals:
    """When each watcher saw each version; says so once all of them have.

    A coalesced frame counts for every version it covers. Times are the
    shared monotonic clock, plus the wall clock of the last arrival (to set
    against the database's timestamp of the change).

    Every watcher of one server gets the same frame, so a frame is counted
    under its range of versions as it comes (one dict update), and the
    ranges are spread over their versions in batches, a few milliseconds
    later: per version and watcher, that loop was a fifth of the
    generator's CPU. The times reported are the frames' own, so the batch
    delays only the report, not what it says.
    """

    # How long counted frames wait before they are spread over their versions.
    BATCH_SECONDS = 0.005

    def __init__(self, emit: Callable[[dict], None]):
        self.emit = emit
        self.watchers = 0
        self.frames = 0
        self._wall_offset = time.time() - time.monotonic()
        self._ranges: dict[tuple[int, int], list] = {}  # -> [count, last]
        self._seen: dict[int, list] = {}  # version -> [count, last]
        self._batch: asyncio.TimerHandle | None = None

    def saw(self, first: int, last: int, now: float) -> None:
        counted = self._ranges.get((first, last))
        if counted is None:
            self._ranges[first, last] = [1, now]
            if self._batch is None:
                self._batch = asyncio.get_running_loop().call_later(
                    self.BATCH_SECONDS, self.settle
                )
        else:
            counted[0] += 1
            counted[1] = now

    def settle(self) -> None:
        """The counted ranges spread over their versions; every version all
        watchers have now seen reported. At once, if called before the batch
        is due (what the runner reads next must already be reported)."""
        if self._batch is not None:
            self._batch.cancel()
        self._batch = None
        ranges, self._ranges = self._ranges, {}
        seen = self._seen
        done: set[int] = set()
        for (first, last), (count, at) in ranges.items():
            for version in range(first, last + 1):
                tally = seen.get(version)
                if tally is None:
                    tally = seen[version] = [0, at]
                tally[0] += count
                if at > tally[1]:
                    tally[1] = at
                if tally[0] >= self.watchers:
                    # A set: a version several ranges of this batch carry
                    # past the count is reported once.
                    done.add(version)
        for version in sorted(done):
            at = seen.pop(version)[1]
            self.emit(
                {
                    "event": "all",
                    "version": version,
                    "last": at,
                    "last_wall": at + self._wall_offset,
                }
            )
