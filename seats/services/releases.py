"""Releasing held seats: some of a hold (the seat rules apply), or all of it.

One transaction each, in the lock order of every service (seats, then
holds, then the event row); the change is announced like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from seats.details import HoldDetails, hold_details
from seats.errors import HoldExpired, NotHolder
from seats.models import Activity, Hold, Seat, SeatStatus
from seats.services import one_call
from seats.services.changes import record_change
from seats.services.hold_parts import check_own_running, clear_and_drop, distinct
from seats.services.hold_rows import require_token
from seats.services.locking import (
    lock_holds,
    lock_seats,
    locked_transaction,
    read_seats,
    retried_after_deadlock,
)
from seats.services.seat_rules import enforce_seat_rules
from seats.signals import SeatState, group


@dataclass(frozen=True, slots=True)
class Released:
    seat_ids: list[int]
    # What is left of the hold (None: nothing), when asked for.
    left: HoldDetails | None = None


def release_seats(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int] | None,
    now: datetime | None = None,
    hold_token: str | None = None,
) -> list[int]:
    """Free seats of `holder`'s running hold; all or nothing; the seat rules apply
    (`seat_ids` None: all of them, see `release`).

    With `hold_token`, only seats of that very hold (HoldNotFound otherwise).
    """
    return release(
        event_id=event_id,
        holder=holder,
        seat_ids=seat_ids,
        now=now or timezone.now(),
        hold_token=hold_token,
    ).seat_ids


def release_all(
    *,
    event_id: int,
    holder: str,
    now: datetime | None = None,
    hold_token: str | None = None,
) -> list[int]:
    """Free every seat `holder` holds on the event (a connection that went away)."""
    return release_seats(
        event_id=event_id, holder=holder, seat_ids=None, now=now, hold_token=hold_token
    )


def release(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int] | None,
    now: datetime,
    hold_token: str | None = None,
    details: bool = False,
) -> Released:
    """Free these seats of `holder`'s running hold (the seat rules apply), or
    with `seat_ids` None all of them (always allowed: leaving, or a shop
    abandoning a checkout, must not be kept holding by the single-seat rule).

    All or nothing. With `details`, what is left of the hold is read in the
    same transaction.
    """
    if seat_ids is not None:
        wanted = distinct(seat_ids)
    else:
        wanted = list(
            Seat.objects.filter(event_id=event_id)
            .held_by(holder, now)
            .order_by("pk")
            .values_list("id", flat=True)
        )
        if not wanted:
            return Released([])
    if hold_token is None and not details and one_call.available():
        # PostgreSQL, seats plainly in the holder's running hold: one round
        # trip, read included (False: the long way; None: read, then one
        # round trip where the event's rules allow, as free_held judges).
        freed = one_call.free_click(
            event_id, holder, wanted, now, rules=seat_ids is not None
        )
        if freed is None:
            seats = read_seats(event_id, wanted)
            freed = one_call.free_held(
                event_id, holder, seats, now, rules=seat_ids is not None
            )
        if freed:
            return Released(wanted)
    try:
        return _release(
            event_id=event_id,
            holder=holder,
            wanted=wanted,
            now=now,
            by_request=seat_ids is not None,
            hold_token=hold_token,
            details=details,
        )
    except (NotHolder, HoldExpired):
        if seat_ids is not None:
            raise
        # Something changed between the read and the lock (a booking, an
        # expiry): whatever is left will expire on its own.
        return Released([])


@retried_after_deadlock
def _release(
    *,
    event_id: int,
    holder: str,
    wanted: list[int],
    now: datetime,
    by_request: bool,
    hold_token: str | None,
    details: bool,
) -> Released:
    """Free seats of `holder`'s running hold; `by_request`: check the seat rules."""
    with locked_transaction():
        seats = lock_seats(event_id, wanted, runs=by_request)
        check_own_running(seats, holder, now)
        if by_request:
            enforce_seat_rules(
                event_id=event_id, holder=holder, seats=seats, freeing=wanted, now=now
            )
        tokens = lock_holds(s.hold_id for s in seats)
        require_token(tokens, hold_token)
        clear_and_drop(wanted, list(tokens))
        record_change(
            event_id=event_id,
            reason=Activity.Kind.RELEASED,
            groups=[
                group(
                    holder,
                    (SeatState(s.id, s.label, SeatStatus.AVAILABLE) for s in seats),
                    # One hold per holder and event: the seats' one token.
                    next(iter(tokens.values()), None),
                )
            ],
            now=now,
        )
        left = None
        if details and tokens:
            hold = Hold.objects.filter(pk=next(iter(tokens))).first()
            found = hold_details(hold, now) if hold is not None else None
            left = found if found is not None and found.seats else None
    return Released(wanted, left)
