"""The waiting room's frames (realtime.queueing, realtime.broadcasting).

Their shapes are in `wire.shapes`, encoded by `wire.frames.dumps`.
"""

from __future__ import annotations

from datetime import datetime

from seats.timefmt import iso
from seats.waiting.services import QueueLine, QueueStatus
from wire.shapes import QueueChangedFrame, QueueLineFrame, QueueStatusFrame


def queue_status(status: QueueStatus, now: datetime) -> QueueStatusFrame:
    """A waiting page's view of its place (realtime.queueing)."""
    return {
        "type": "queue.status",
        "event": status.event_id,
        "version": status.version,
        "state": status.state,
        "position": status.position,
        "waiting": status.waiting,
        "opens_at": iso(status.opens_at),
        "admitted_until": iso(status.admitted_until),
        "rate_per_minute": status.rate_per_minute,
        "paused": status.paused,
        "estimated_wait_seconds": status.estimated_wait_seconds,
        "server_time": iso(now),
        "rank": status.rank,
    }


def queue_line(line: QueueLine, now: datetime) -> QueueLineFrame:
    """The line as every waiting page sees it (`?line=shared`): the same
    bytes for all; each finds its position from `marks` and its rank."""
    return {
        "type": "queue.line",
        "event": line.event_id,
        "version": line.version,
        "enabled": line.enabled,
        "waiting": line.waiting,
        "opens_at": iso(line.opens_at),
        "rate_per_minute": line.rate_per_minute,
        "paused": line.paused,
        "marks": [[position, rank] for position, rank in line.marks],
        "server_time": iso(now),
    }


def queue_changed(event_id: int, version: int) -> QueueChangedFrame:
    """A waiting room changed: pages re-read their place, dashboards refresh."""
    return {"type": "queue.changed", "event": event_id, "version": version}
