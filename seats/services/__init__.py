"""Every change to seat state happens here, and only here.

One module per concern: `holds` (take, best available, release, extend),
`hold_rows` (a holder's hold row: locking, renewing, its token),
`bookings` (and cancelling them), `tokens` (holds addressed by their
token, for the REST API), `sweep` (lapsed holds), `locking` (lock order, bounded waits),
`seat_rules` (single seats and companion seats, checked under lock) and
`changes` (the version, activity and announcement every change ends
with). Callers import the functions from this package.
"""

from seats.services.bookings import (
    BookingResult,
    Customer,
    book_from_map,
    book_seats,
    cancel_booking,
)
from seats.services.holds import (
    HoldResult,
    extend_hold,
    hold_best,
    hold_seats,
    release_all,
    release_seats,
)
from seats.services.sweep import ExpiredSeat, release_expired

__all__ = [
    "BookingResult",
    "Customer",
    "book_from_map",
    "ExpiredSeat",
    "HoldResult",
    "book_seats",
    "cancel_booking",
    "extend_hold",
    "hold_best",
    "hold_seats",
    "release_all",
    "release_expired",
    "release_seats",
]
