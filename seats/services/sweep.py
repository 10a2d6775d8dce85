"""Releasing holds whose time has passed: tidying up and telling the browsers.

Correctness never waits for this: every check already treats a lapsed hold
as free. Idempotent: a seat is released by exactly one sweep, because each
sweep claims its rows under lock (rows another sweep locked are skipped on
PostgreSQL; SQLite serialises writers) before it clears them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from seats.models import Activity, Event, Hold, Seat, SeatStatus
from seats.services import statements
from seats.services.changes import chunks, record_change
from seats.services.hold_parts import delete_holds
from seats.signals import SeatState, group


@dataclass(frozen=True, slots=True)
class ExpiredSeat:
    seat_id: int
    label: str
    event_id: int
    event_name: str
    holder: str


def release_expired(*, now: datetime | None = None) -> list[ExpiredSeat]:
    """Release every hold whose time has passed; one announcement per event."""
    now = now or timezone.now()
    # No lock wait to bound: SKIP LOCKED never waits.
    with transaction.atomic():
        locked: list[tuple[int, str, int, str, str]] = list(
            Seat.objects.select_for_update(skip_locked=True, of=("self",))
            .lapsed_at(now)
            .order_by("pk")
            .values_list("id", "label", "event_id", "holder", "hold__token")
        )
        # The hold tokens go to the webhooks only (seats.expired names the
        # hold a shop's checkout was waiting on).
        token_of = {row[0]: row[4] for row in locked}
        rows = [row[:4] for row in locked]
        # These rows are ours now: locked on PostgreSQL (rows another sweep
        # locked first were skipped), serialised by the write lock on SQLite.
        for chunk in chunks(rows):
            statements.clear_holds([r[0] for r in chunk])

        # Spent holds go before any event row is locked (seats, holds, events
        # is the lock order everywhere); ones a running request holds are skipped.
        spent = list(
            Hold.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lte=now)
            .exclude(id__in=Seat.objects.filter(hold__isnull=False).values("hold_id"))
            .values_list("id", flat=True)
        )
        if spent:
            delete_holds(spent)

        by_event: dict[int, list[tuple[int, str, int, str]]] = defaultdict(list)
        for row in rows:
            by_event[row[2]].append(row)
        names = dict(Event.objects.filter(id__in=by_event).values_list("id", "name"))
        for event_id in sorted(by_event):
            holds: dict[tuple[str, str | None], list[SeatState]] = defaultdict(list)
            for seat_id, label, _, former in by_event[event_id]:
                holds[(former, token_of[seat_id])].append(
                    SeatState(seat_id, label, SeatStatus.AVAILABLE)
                )
            record_change(
                event_id=event_id,
                reason=Activity.Kind.EXPIRED,
                groups=[
                    group(former, states, token)
                    for (former, token), states in holds.items()
                ],
                now=now,
            )
    return [
        ExpiredSeat(
            seat_id=seat_id,
            label=label,
            event_id=event_id,
            event_name=names[event_id],
            holder=former,
        )
        for seat_id, label, event_id, former in rows
    ]
