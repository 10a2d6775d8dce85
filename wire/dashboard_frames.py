"""The staff dashboard's frames and the /api/ documents that list events.

The dashboard's socket (realtime.consumers.DashboardConsumer) and the
broadcasts for it (realtime.broadcasting) send these; their shapes are in
`wire.shapes`, encoded by `wire.frames.dumps`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from seats.activity_log import LoggedChange
from seats.selectors import DashboardState, EventSummary, RunningHold
from seats.signals import SeatChange
from seats.timefmt import iso
from wire.frames import answering
from wire.shapes import (
    ActivityFrame,
    ActivityHistoryFrame,
    DashboardStateFrame,
    EventListDocument,
    EventSummaryFrame,
    ForbiddenDocument,
    ReleasedDocument,
    RequestId,
    RunningHoldFrame,
)


def activity(change: SeatChange | LoggedChange) -> ActivityFrame:
    """A change as the feed shows it: live, or read back from the log in the
    shape it had when it was live."""
    return {
        "type": "activity",
        "event": change.event_id,
        "version": change.version,
        "reason": change.reason,
        "holder": change.holders[0] if len(change.holders) == 1 else None,
        "holders": list(change.holders),
        "at": iso(change.at),
        "seats": [{"id": s.id, "label": s.label} for s in change.seats],
    }


def activity_history(
    changes: Iterable[LoggedChange], *, since: datetime, now: datetime
) -> ActivityHistoryFrame:
    return {
        "type": "activity.history",
        "server_time": iso(now),
        "since": iso(since),
        "changes": [activity(c) for c in changes],
    }


def event_summary(summary: EventSummary) -> EventSummaryFrame:
    return {
        "id": summary.id,
        "name": summary.name,
        "starts_at": iso(summary.starts_at),
        "version": summary.version,
        "total": summary.total,
        "available": summary.available,
        "held": summary.held,
        "booked": summary.booked,
        "blocked": summary.blocked,
    }


def running_hold(hold: RunningHold) -> RunningHoldFrame:
    return {
        "id": hold.id,
        "event": hold.event_id,
        "holder": hold.holder,
        "seats": list(hold.seat_labels),
        "expires_at": iso(hold.expires_at),
        "held_for": hold.held_for or None,
    }


def dashboard_state(
    state: DashboardState, request_id: RequestId | None = None
) -> DashboardStateFrame:
    frame: DashboardStateFrame = {
        "type": "dashboard.state",
        "server_time": iso(state.now),
        "events": [event_summary(e) for e in state.events],
        "holds": [running_hold(h) for h in state.holds],
    }
    return answering(frame, request_id)


def event_list(summaries: Iterable[EventSummary]) -> EventListDocument:
    return {"events": [event_summary(e) for e in summaries]}


def released(count: int) -> ReleasedDocument:
    return {"released": count}


def forbidden(message: str = "Staff only.") -> ForbiddenDocument:
    return {"error": "forbidden", "message": message}
