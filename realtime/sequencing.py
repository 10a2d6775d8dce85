"""An event's changes back in version order before they reach the sockets.

A worker gets its own changes straight from its hub and the others' through
Redis, later; under load, seconds later. Passed on as they come, most
frames would reach the browsers ahead of a version still on its way: every
client would buffer, and one that waits too long resyncs from a snapshot,
the most expensive thing a busy server can be asked for. The sequencer
holds a change until the versions before it have come, and gives up on a
missing version after a wait (a lost publish). The event's stream
(realtime.streams) then reads what the missing versions changed back from
the database and sends it as one frame (`caught_up`); only if the database
cannot say do the frames go on with a gap (`give_up`), which clients close
by a resync.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Sequencer(Generic[T]):
    """One group's changes (any item with a version), released in version order.

    `add` and `give_up` return the items to pass on now, in order. The first
    version seen sets the start (a process learns an event's stream when its
    first socket of that event connects). A version older than the next one
    expected comes late: it is passed on if it was given up on (it fills the
    gap clients were left with) or is older than the first version seen (a
    client that connected just before may lack it), and dropped otherwise
    (it was sent, or a catch-up covered it).
    """

    __slots__ = ("start", "next", "held", "skipped", "gaps")

    # Given-up versions remembered for late arrivals; the oldest are
    # forgotten first (clients have resynced across those long ago).
    MAX_GAPS = 10_000

    def __init__(self) -> None:
        self.start: int | None = None
        self.next: int | None = None
        self.held: dict[int, T] = {}
        self.skipped = 0  # versions given up on
        self.gaps: set[int] = set()

    def add(self, version: int, item: T) -> list[T]:
        if self.next is not None and version < self.next:
            if self.start is not None and version < self.start:
                return [item]
            if version in self.gaps:
                self.gaps.discard(version)
                return [item]
            return []
        if self.next is not None and version > self.next:
            self.held[version] = item
            return []
        if self.start is None:
            self.start = version
        self.next = version + 1
        return [item, *self._drain()]

    @property
    def waiting(self) -> bool:
        """Whether changes wait for a missing version (a give-up is due)."""
        return bool(self.held)

    @property
    def missing(self) -> int:
        """How many versions before the last held one have not come."""
        if not self.held or self.next is None:
            return 0
        return max(self.held) - self.next + 1 - len(self.held)

    def caught_up(self, version: int) -> list[T]:
        """Everything up to `version` was sent some other way (one frame read
        from the database): drop what it covers, pass on what follows."""
        self.held = {v: item for v, item in self.held.items() if v > version}
        if self.next is None or version >= self.next:
            self.next = version + 1
        return self._drain()

    def give_up(self) -> list[T]:
        """Stop waiting for the missing version(s): pass on what is held."""
        if not self.held:
            return []
        first = min(self.held)
        if self.next is not None:
            self.skipped += first - self.next
            self.gaps.update(range(self.next, first))
            if len(self.gaps) > self.MAX_GAPS:
                self.gaps = set(sorted(self.gaps)[-self.MAX_GAPS :])
        self.next = first
        return self._drain()

    def _drain(self) -> list[T]:
        out = []
        while self.next in self.held:
            out.append(self.held.pop(self.next))
            self.next += 1
        return out
