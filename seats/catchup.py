"""What a worker reads back when a change never reached it (realtime.streams).

A worker gets other workers' changes through the channel layer; one that is
lost on the way is read here instead: the activity log names the seats of
every version, the seats table their state now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from seats.models import Activity, Seat, SeatStatus, status_of
from seats.selectors import event_version
from seats.signals import SeatState


@dataclass(frozen=True, slots=True)
class CatchUp:
    """Every change of an event after some version, as one coalesced change.

    Stands for versions `from_version`..`version`; `seats` holds each seat
    those changes touched once, in its state now (at least as new as
    `version`, so later changes replayed on top converge to the truth).
    """

    event_id: int
    from_version: int
    version: int
    reason: str  # the last change's
    reasons: list[str]  # every change's, in order of first appearance
    seats: list[SeatState]


def catch_up(
    *, event_id: int, after: int, now: datetime | None = None
) -> CatchUp | None:
    """What changed in the event since version `after`; None if it cannot say.

    For a worker whose copy of a change never came through the channel
    layer: the activity log names the seats of every version, the seats
    table their state. The version is read first, as in `seat_map`. None
    when nothing changed, or when a version in the range left no activity
    (a new seating plan: only a fresh snapshot describes that).
    """
    now = now or timezone.now()
    version = event_version(event_id)
    if version <= after:
        return None
    touched = (
        Activity.objects.filter(
            event_id=event_id, version__gt=after, version__lte=version
        )
        .order_by("version", "id")
        .values_list("version", "seat_id", "kind")
    )
    versions: set[int] = set()
    seat_ids: dict[int, None] = {}
    reasons: dict[str, None] = {}
    kind = ""
    for changed_in, seat_id, kind in touched:
        versions.add(changed_in)
        seat_ids[seat_id] = None
        reasons[kind] = None
    if len(versions) < version - after:
        return None
    rows = Seat.objects.filter(id__in=list(seat_ids)).values_list(
        "id", "label", "holder", "held_until", "booking_id", "blocked"
    )
    states = {}
    for sid, label, holder, until, booking, blocked in rows:
        status = status_of(
            booking_id=booking, held_until=until, now=now, blocked=blocked
        )
        held = status is SeatStatus.HELD
        states[sid] = SeatState(
            sid, label, status, holder if held else None, until if held else None
        )
    return CatchUp(
        event_id=event_id,
        from_version=after + 1,
        version=version,
        reason=kind,
        reasons=list(reasons),
        seats=[states[i] for i in seat_ids if i in states],
    )
