"""Turning a running hold into a booking."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from seats.errors import HoldExpired
from seats.models import Activity, Booking, Seat, SeatStatus
from seats.services.changes import record_change
from seats.services.holds import check_own_running, distinct, drop_if_empty
from seats.services.locking import lock_holds, lock_seats, locked_transaction
from seats.signals import SeatState

# Crockford-style alphabet: no 0/O or 1/I/L to misread over the phone.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class BookingResult:
    reference: str
    seat_ids: list[int]


def book_seats(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int],
    now: datetime | None = None,
) -> BookingResult:
    """Turn seats of the holder's running hold into one booking; all or nothing.

    The hold must still be running at `now`: a hold past its time cannot be
    booked even if the sweeper has not released it yet.
    """
    now = now or timezone.now()
    wanted = distinct(seat_ids)
    with locked_transaction():
        seats = lock_seats(event_id, wanted)
        check_own_running(seats, holder, now)
        holds = lock_holds(s.hold_id for s in seats)
        booking = Booking.objects.create(
            reference=_booking_reference(),
            event_id=event_id,
            holder=holder,
            created_at=now,
        )
        booked = (
            Seat.objects.filter(id__in=wanted)
            .held_by(holder, now)
            .update(booking=booking, hold=None, holder="", held_until=None)
        )
        if booked != len(wanted):  # pragma: no cover - guarded by the lock
            raise HoldExpired(seat_ids=wanted)
        drop_if_empty(holds)
        record_change(
            event_id=event_id,
            reason=Activity.Kind.BOOKED,
            seats=[SeatState(s.id, s.label, SeatStatus.BOOKED) for s in seats],
            holders=[holder] * len(seats),
            now=now,
        )
    return BookingResult(reference=booking.reference, seat_ids=wanted)


def _booking_reference() -> str:
    return "BK-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
