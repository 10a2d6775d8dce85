"""Is every client in step? Each socket's versions, checked at the end of a run.

A client is in step when it has seen every version of its event from its
snapshot up to the event's version now, in frames whose version ranges
(`from_version`..`version`, or one `version`) join up, whatever order they
came in. The bench clients never resync, so a version that never arrived is
a version missing, not a resync: the audit counts exactly what the server
failed to deliver.
"""

from __future__ import annotations

import re

# With or without spaces: the standard baseline's frames have json.dumps's.
_VERSION = re.compile(r'"version":\s*(\d+)')
_FROM = re.compile(r'"from_version":\s*(\d+)')
_FROM_KEY = '"from_version":'


def versions_of(text: str) -> tuple[int, int]:
    """(first, last) version a `seats.changed` text covers, without parsing it all.

    `version` comes before the seat list and `from_version` after it
    (wire.frames builds them in that order), so both are cheap to find.
    """
    found = _VERSION.search(text)
    if found is None:
        raise ValueError(f"no version in {text[:80]!r}")
    last = int(found.group(1))
    at = text.rfind(_FROM_KEY)
    if at < 0:
        return last, last
    found = _FROM.match(text, at)
    if found is None:
        raise ValueError(f"no from_version in {text[at : at + 40]!r}")
    return int(found.group(1)), last


class Track:
    """The versions one socket has seen since its snapshot."""

    __slots__ = ("start", "next", "ahead", "frames", "stale", "out_of_order")

    def __init__(self, snapshot_version: int):
        self.start = snapshot_version
        self.next = snapshot_version + 1  # the first version not seen yet
        self.ahead: list[tuple[int, int]] = []  # ranges that came early
        self.frames = 0
        self.stale = 0
        self.out_of_order = 0

    def saw(self, first: int, last: int) -> int | None:
        """Takes a frame for versions `first`..`last`; the first of them this
        socket had not seen in order (None if it had seen them all), so what
        overlaps what came before is not counted twice."""
        self.frames += 1
        if last < self.next:
            self.stale += 1  # all of it seen already (or before the snapshot)
            return None
        if first > self.next:
            self.out_of_order += 1
            self.ahead.append((first, last))
            return first
        new = self.next
        self.next = last + 1
        while self.ahead:
            joining = [r for r in self.ahead if r[0] <= self.next]
            if not joining:
                break
            self.next = max(self.next, *(r[1] + 1 for r in joining))
            self.ahead = [r for r in self.ahead if r[1] >= self.next]
        return new

    def caught_up(self, version: int) -> bool:
        return self.next > version

    def missing(self, version: int) -> int:
        """Versions up to `version` this socket has not seen."""
        covered: set[int] = set()
        for first, last in self.ahead:
            covered.update(range(max(first, self.next), min(last, version) + 1))
        return max(0, version + 1 - self.next) - len(covered)


def audit(tracks: list[Track], version: int, closed: int = 0) -> dict:
    """The audit of a generator's sockets against the event's version now."""
    behind = [t for t in tracks if not t.caught_up(version)]
    return {
        "clients": len(tracks),
        "in_step": len(tracks) - len(behind),
        "out_of_step": len(behind),
        "closed": closed,
        "missing_versions": sum(t.missing(version) for t in behind),
        "frames": sum(t.frames for t in tracks),
        "stale_frames": sum(t.stale for t in tracks),
        "out_of_order_frames": sum(t.out_of_order for t in tracks),
        "examples": [
            {"start": t.start, "next": t.next, "ahead": t.ahead[:3]} for t in behind[:3]
        ],
    }


def merged(audits: list[dict]) -> dict:
    """Several generators' audits as one."""
    total = {
        key: sum(a[key] for a in audits)
        for key in audits[0]
        if isinstance(audits[0][key], int)
    }
    total["examples"] = [e for a in audits for e in a["examples"]][:3]
    return total
