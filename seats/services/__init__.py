"""Every change to seat state happens here, and only here.

One module per concern: `holds` (take, best available), `extending`,
`releases`, `hold_parts` (what holding and releasing share: the answer, the
checks, dropping emptied holds), `hold_rows` (a holder's hold row: locking,
renewing, its token, chosen lengths), `places` (standing places, held by
quantity), `bookings` (and cancelling them), `orphans` (holds of connections
whose process died), `tokens` (holds addressed by their token, for the REST
API), `staff` (blocking, releasing now, the box office), `channels` (seats
kept for a sales channel), `sweep` (lapsed holds), `seating` (an event's
seats laid out from a plan), `locking` (lock order, bounded waits),
`seat_rules` (single seats, companion seats and whole tables, checked under
lock), `statements` (the hot path's SQL, built once per shape) and `changes`
(the version, activity, outbox and announcement every change ends with);
`on_loop` answers the plain clicks on the serving loop where it can.

Each function is one transaction (`on_loop`'s: one statement) and returns
what the edges show, read in that transaction (`details=True` where it costs
a query the socket does not need). Callers import the functions from this
package.
"""

from seats.services.bookings import (
    BookingResult,
    Customer,
    book_from_map,
    book_seats,
    cancel_booking,
)
from seats.services.extending import extend_hold
from seats.services.hold_parts import HoldResult
from seats.services.holds import hold_best, hold_seats
from seats.services.on_loop import answers_on_loop, hold_on_loop, release_on_loop
from seats.services.orphans import beat, release_orphans
from seats.services.places import Places
from seats.services.releases import Released, release, release_all, release_seats
from seats.services.sweep import ExpiredSeat, release_expired

__all__ = [
    "answers_on_loop",
    "BookingResult",
    "Customer",
    "ExpiredSeat",
    "HoldResult",
    "Places",
    "Released",
    "beat",
    "book_from_map",
    "book_seats",
    "cancel_booking",
    "extend_hold",
    "hold_best",
    "hold_on_loop",
    "hold_seats",
    "release",
    "release_all",
    "release_expired",
    "release_on_loop",
    "release_orphans",
    "release_seats",
]
