"""The waiting room's services, in one place for their callers.

Each lives in the module of its concern: `places` (joining, leaving, a
place's state now), `line` (what a waiting page sees), `admission` (who may
hold seats now, and the admitter's tick), `rooms` (staff settings and the
dashboard's figures).
"""

from __future__ import annotations

from seats.waiting.admission import (
    admit_due,
    admitted_until,
    is_admitted,
    next_opening,
    require_admission,
)
from seats.waiting.line import (
    QueueLine,
    QueueStatus,
    estimated_wait,
    line_of,
    status,
    status_in_line,
    statuses_in_line,
    waiting_ranks,
)
from seats.waiting.places import active_room, join, leave
from seats.waiting.rooms import RoomStats, configure, stats

__all__ = [
    "QueueLine",
    "QueueStatus",
    "RoomStats",
    "active_room",
    "admit_due",
    "admitted_until",
    "configure",
    "estimated_wait",
    "is_admitted",
    "join",
    "leave",
    "line_of",
    "next_opening",
    "require_admission",
    "stats",
    "status",
    "status_in_line",
    "statuses_in_line",
    "waiting_ranks",
]
