"""The booking's own record of its seats (`BookedSeat`), written and marked
inside the transactions of `bookings` and `staff`.

The seat rows say what is sold now; these rows say what each booking sold
and what became of it. Callers hold the seats' locks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import F

from seats.models import BookedSeat, Booking
from seats.services import statements
from seats.services.locking import require_transaction


def record_sold(booking: Booking, seat_ids: Sequence[int]) -> list[BookedSeat]:
    """One row per seat, with its place, category and price as sold now.

    The rows are also left on the booking (as if prefetched), so answers
    built from it in this transaction (webhooks) need no read of their own.
    """
    require_transaction()
    rows = statements.insert_booked_seats(booking.id, seat_ids)
    remember(booking, rows)
    return rows


def mark_cancelled(*, booking_id: int, seat_ids: Sequence[int], now: datetime) -> int:
    """Mark these seats of the booking cancelled at `now`, refunding the price
    they were sold at; seats already cancelled keep their first mark."""
    require_transaction()
    return BookedSeat.objects.filter(
        booking_id=booking_id, seat_id__in=list(seat_ids), cancelled_at__isnull=True
    ).update(cancelled_at=now, refunded=F("price"))


def remember(booking: Booking, rows: list[BookedSeat]) -> None:
    """Leave `rows` on the booking the way prefetch_related does, so
    `booking.booked_seats.all()` answers without a query."""
    cached = booking.booked_seats.all()  # not evaluated: no query
    cached._result_cache = rows
    cached._prefetch_done = True  # type: ignore[attr-defined]
    booking._prefetched_objects_cache = {"booked_seats": cached}  # type: ignore[attr-defined]
