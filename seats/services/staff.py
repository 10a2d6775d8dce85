"""What staff do to seats: block and unblock, release holds now, keep seats
for a named person, sell at the box office.

Every function takes the acting staff member's username (`staff`), which
goes on every activity row of its changes, and runs in one transaction in
the lock order of every service (seats, then holds, then the event row).
Nothing here checks who the caller is: the edges (staff views, admin
actions) only let staff in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from seats.errors import BadRequest, Busy, SeatBlocked, SeatsHeld, SeatsUnavailable
from seats.holders import new_holder_id
from seats.models import Activity, Booking, BuyerDetails, Hold, Seat, SeatStatus
from seats.outbox import types
from seats.outbox import writer as outbox
from seats.services import statements
from seats.services.booked_seats import record_sold
from seats.services.bookings import (
    BookingResult,
    cancel_booking,
    new_booking_reference,
)
from seats.services.buyers import checked_buyer
from seats.services.changes import record_change
from seats.services.hold_parts import distinct, drop_if_empty
from seats.services.hold_rows import hold_tokens, lapsed_groups, new_hold_token
from seats.services.locking import (
    lock_holds,
    lock_seats,
    locked_transaction,
    retried_after_deadlock,
)
from seats.services.staff_texts import (
    held_message,
    required_text,
    seats_phrase,
    span_text,
)
from seats.signals import SeatState, group

MAX_REASON = 120
MAX_NOTE = 200
# A kept hold runs at least this long: a time already (nearly) past is a slip.
MIN_KEEP = timedelta(minutes=1)


def staff_holder(username: str) -> str:
    """The holder id a staff member's changes are logged under (`s_` kind)."""
    return f"s_{username}"[:40]


@retried_after_deadlock
def block_seats(
    *,
    event_id: int,
    seat_ids: Sequence[int],
    reason: str,
    staff: str,
    release_holds: bool = False,
    now: datetime | None = None,
) -> list[int]:
    """Take seats out of sale, with a reason; all or nothing.

    Booked seats are refused (cancel the booking first). Seats in someone's
    running hold are refused with the time the hold has left (`SeatsHeld`),
    unless `release_holds`: then the hold loses those seats first, as a
    change of its own. Seats already blocked keep their first reason.
    Returns the ids blocked now.
    """
    now = now or timezone.now()
    reason = required_text(reason, "a reason for blocking", MAX_REASON)
    wanted = distinct(seat_ids)
    with locked_transaction():
        seats = lock_seats(event_id, wanted)
        booked = [s for s in seats if s.booking_id is not None]
        if booked:
            raise SeatsUnavailable(
                f"{seats_phrase(booked)} booked: cancel the booking first.",
                seat_ids=[s.id for s in booked],
            )
        held = [s for s in seats if s.status_at(now) is SeatStatus.HELD]
        if held and not release_holds:
            raise SeatsHeld(held_message(held, now), seat_ids=[s.id for s in held])
        _end_holds(event_id, seats, staff=staff, now=now, note="to block")
        new = [s for s in seats if not s.blocked]
        if not new:
            return []
        Seat.objects.filter(id__in=[s.id for s in new]).update(
            blocked=True, blocked_reason=reason
        )
        _record(event_id, Activity.Kind.BLOCKED, new, staff, now, note=reason)
    return [s.id for s in new]


@retried_after_deadlock
def unblock_seats(
    *,
    event_id: int,
    seat_ids: Sequence[int],
    staff: str,
    now: datetime | None = None,
) -> list[int]:
    """Put blocked seats back on sale; the others are left alone. Returns
    the ids unblocked."""
    now = now or timezone.now()
    wanted = distinct(seat_ids)
    with locked_transaction():
        seats = [s for s in lock_seats(event_id, wanted) if s.blocked]
        if not seats:
            return []
        Seat.objects.filter(id__in=[s.id for s in seats]).update(
            blocked=False, blocked_reason=""
        )
        _record(event_id, Activity.Kind.UNBLOCKED, seats, staff, now)
    return [s.id for s in seats]


@retried_after_deadlock
def release_now(
    *,
    event_id: int,
    staff: str,
    seat_ids: Sequence[int] = (),
    holder: str | None = None,
    now: datetime | None = None,
) -> list[int]:
    """End holds before their time: these seats' holds, or `holder`'s whole
    hold on the event. Seats not in a running hold are left alone; if none
    is, `BadRequest`. Returns the ids freed."""
    now = now or timezone.now()
    if holder is not None:
        wanted = list(
            Seat.objects.filter(event_id=event_id)
            .held_by(holder, now)
            .order_by("pk")
            .values_list("id", flat=True)
        )
    else:
        wanted = distinct(seat_ids)
    with locked_transaction():
        seats = lock_seats(event_id, wanted) if wanted else []
        held = [s for s in seats if s.status_at(now) is SeatStatus.HELD]
        if holder is not None:
            held = [s for s in held if s.holder == holder]
        if not held:
            raise BadRequest("None of these seats is held now.")
        _end_holds(event_id, held, staff=staff, now=now, note="released by staff")
    return [s.id for s in held]


@dataclass(frozen=True, slots=True)
class KeptHold:
    """Seats the box office keeps for someone: a hold of its own."""

    holder: str
    token: str
    held_for: str
    until: datetime
    seat_ids: list[int]


@retried_after_deadlock
def keep_seats(
    *,
    event_id: int,
    seat_ids: Sequence[int],
    held_for: str,
    until: datetime,
    staff: str,
    now: datetime | None = None,
) -> KeptHold:
    """Keep free seats for a named person until `until`; all or nothing.

    A hold of its own (a new `b_` holder, so each person's seats end on
    their own), running from one minute to SEAT_BOX_OFFICE_HOLD_MAX_SECONDS
    ahead, with `held_for` on it. Booked, blocked and held seats are
    refused. Like any hold it ends at its time; the box office may sell its
    seats (`sell_at_box_office`) or release them before.
    """
    now = now or timezone.now()
    name = required_text(held_for, "the name the seats are kept for", MAX_NOTE)
    _check_keep_until(until, now)
    wanted = distinct(seat_ids)
    with locked_transaction():
        seats = lock_seats(event_id, wanted)
        booked = [s for s in seats if s.booking_id is not None]
        if booked:
            raise SeatsUnavailable(
                f"{seats_phrase(booked)} booked.", seat_ids=[s.id for s in booked]
            )
        blocked = [s for s in seats if s.blocked]
        if blocked:
            raise SeatsUnavailable(
                f"{seats_phrase(blocked)} blocked: unblock first.",
                seat_ids=[s.id for s in blocked],
            )
        held = [s for s in seats if s.status_at(now) is SeatStatus.HELD]
        if held:
            raise SeatsHeld(held_message(held, now), seat_ids=[s.id for s in held])
        _end_holds(event_id, seats, staff=staff, now=now, note="")  # lapsed only
        hold = Hold.objects.create(
            token=new_hold_token(),
            event_id=event_id,
            holder=new_holder_id("b"),
            created_at=now,
            expires_at=until,
            max_expires_at=until,
            held_for=name,
        )
        taken = statements.take_free_seats(wanted, hold, now)
        if taken != len(wanted):  # pragma: no cover - guarded by the lock
            raise SeatsUnavailable(seat_ids=wanted)
        record_change(
            event_id=event_id,
            reason=Activity.Kind.HELD,
            groups=[
                group(
                    hold.holder,
                    (
                        SeatState(s.id, s.label, SeatStatus.HELD, hold.holder, until)
                        for s in seats
                    ),
                    hold.token,
                )
            ],
            staff=staff,
            note=f"for {name}"[:MAX_NOTE],
            now=now,
        )
    return KeptHold(
        holder=hold.holder,
        token=hold.token,
        held_for=name,
        until=until,
        seat_ids=wanted,
    )


def _check_keep_until(until: datetime, now: datetime) -> None:
    if until.tzinfo is None:
        raise BadRequest("Give the time the seats are kept until with its zone.")
    longest = timedelta(seconds=settings.SEAT_BOX_OFFICE_HOLD_MAX_SECONDS)
    if until < now + MIN_KEEP:
        raise BadRequest("Keep the seats until at least a minute from now.")
    if until > now + longest:
        raise BadRequest(
            f"Seats can be kept for at most {span_text(longest)} ahead "
            "(SEAT_BOX_OFFICE_HOLD_MAX_SECONDS)."
        )


@retried_after_deadlock
def sell_at_box_office(
    *,
    event_id: int,
    seat_ids: Sequence[int],
    customer_name: str,
    staff: str,
    customer_email: str = "",
    payment_note: str = "",
    include_blocked: bool = False,
    now: datetime | None = None,
) -> BookingResult:
    """Book seats for a walk-in customer, straight from the map; all or nothing.

    No per-holder limit and no hold first. Seats booked or in a customer's
    running hold are refused; seats the box office kept for someone
    (`keep_seats`) are sold, their hold ending as released by staff first;
    blocked seats are sold only with `include_blocked` (staff confirmed),
    and are unblocked by the sale.
    The customer's name is always needed; the email as the event wants it
    (seats.services.buyers), and checked whenever given.
    """
    now = now or timezone.now()
    name = required_text(customer_name, "the customer's name", MAX_NOTE)
    note = payment_note.strip()[:MAX_NOTE]
    wanted = distinct(seat_ids)
    with locked_transaction():
        seats = lock_seats(event_id, wanted)
        name, email = checked_buyer(
            name=name,
            email=customer_email,
            wanted=getattr(seats[0], "buyer_details", BuyerDetails.NONE),
        )
        booked = [s for s in seats if s.booking_id is not None]
        if booked:
            raise SeatsUnavailable(
                f"{seats_phrase(booked)} already booked.",
                seat_ids=[s.id for s in booked],
            )
        held = [s for s in seats if s.status_at(now) is SeatStatus.HELD]
        kept = _kept_holds(held)
        held = [s for s in held if s.hold_id not in kept]
        if held:
            raise SeatsHeld(held_message(held, now), seat_ids=[s.id for s in held])
        blocked = [s for s in seats if s.blocked]
        if blocked and not include_blocked:
            raise SeatBlocked(
                f"{seats_phrase(blocked)} blocked ({blocked[0].blocked_reason}): "
                "confirm to sell anyway.",
                seat_ids=[s.id for s in blocked],
            )
        # Lapsed holds, and the holds the box office kept for this sale.
        _end_holds(event_id, seats, staff=staff, now=now, note="to sell")
        booking = Booking.objects.create(
            reference=new_booking_reference(),
            event_id=event_id,
            holder=staff_holder(staff),
            created_at=now,
            customer_name=name,
            customer_email=email,
            seat_list=[{"id": s.id, "label": s.label} for s in seats],
            channel=Booking.Channel.BOX_OFFICE,
            sold_by=staff,
            payment_note=note,
        )
        Seat.objects.filter(id__in=wanted).update(
            booking=booking, blocked=False, blocked_reason=""
        )
        record_sold(booking, wanted)
        version = _record(event_id, Activity.Kind.BOOKED, seats, staff, now, note=note)
        outbox.enqueue_booking(
            types.BOOKING_CREATED, version=version, booking=booking, now=now
        )
    return BookingResult(reference=booking.reference, seat_ids=wanted, booking=booking)


@retried_after_deadlock
def cancel_seats(
    *,
    event_id: int,
    seat_ids: Sequence[int],
    staff: str,
    now: datetime | None = None,
) -> list[str]:
    """Cancel these booked seats out of whatever bookings they are in (the
    box office's "Cancel sale"); all or nothing. Seats not booked are
    refused (`BadRequest`). Returns the references of the bookings touched.
    """
    now = now or timezone.now()
    wanted = distinct(seat_ids)
    bookings = set(
        Seat.objects.filter(event_id=event_id, id__in=wanted, booking__isnull=False)
        .order_by()
        .values_list("booking_id", flat=True)
    )
    with locked_transaction():
        # Every seat of every booking involved, in primary-key order, before
        # anything else: `cancel_booking` locks a booking's seats again (no
        # wait then), and two cancellations of one booking never cross.
        list(
            Seat.objects.select_for_update(of=("self",))
            .filter(Q(booking_id__in=bookings) | Q(event_id=event_id, id__in=wanted))
            .order_by("pk")
            .values_list("id", flat=True)
        )
        seats = lock_seats(event_id, wanted)
        if {s.booking_id for s in seats if s.booking_id} - bookings:
            raise Busy()  # sold again between the read and the lock
        loose = [s for s in seats if s.booking_id is None]
        if loose:
            raise BadRequest(
                f"{seats_phrase(loose)} not booked.", seat_ids=[s.id for s in loose]
            )
        per_booking: dict[int, list[int]] = {}
        for seat in seats:
            assert seat.booking_id is not None
            per_booking.setdefault(seat.booking_id, []).append(seat.id)
        references = dict(
            Booking.objects.filter(id__in=per_booking).values_list("id", "reference")
        )
        for booking_id, ids in sorted(per_booking.items()):
            cancel_booking(
                reference=references[booking_id], seat_ids=ids, staff=staff, now=now
            )
    return [references[b] for b in sorted(per_booking)]


def _kept_holds(held: list[Seat]) -> set[int]:
    """Those of these running seats' holds the box office kept for someone.

    Read, not locked: `_end_holds` locks the running holds it ends, and a
    hold's `held_for` never changes.
    """
    ids = {s.hold_id for s in held if s.hold_id is not None}
    if not ids:
        return set()
    return set(
        Hold.objects.filter(id__in=ids)
        .exclude(held_for="")
        .values_list("id", flat=True)
    )


def _end_holds(
    event_id: int, seats: list[Seat], *, staff: str, now: datetime, note: str
) -> None:
    """End the holds these locked seats are in: running ones as `released`
    by staff, lapsed ones (not swept yet) as `expired`, each its own change.

    Only running holds' rows are locked (after their seats, as every service
    does). A lapsed hold's row is left alone: its holder may be renewing it
    right now (`renew_if_spent` locks the hold, then its lapsed seats), and
    waiting for it here would be the opposite order. The seat simply stops
    pointing at it; an empty hold row is renewed or swept later.
    """
    in_holds = [s for s in seats if s.hold_id is not None]
    if not in_holds:
        return
    tokens = hold_tokens(in_holds)
    lapsed = lapsed_groups([s for s in in_holds if not _running(s, now)], tokens)
    released = lapsed_groups([s for s in in_holds if _running(s, now)], tokens)
    running = sorted({s.hold_id for s in in_holds if _running(s, now) and s.hold_id})
    lock_holds(running)
    statements.clear_holds([s.id for s in in_holds])
    drop_if_empty(running)
    if lapsed:
        record_change(
            event_id=event_id, reason=Activity.Kind.EXPIRED, groups=lapsed, now=now
        )
    if released:
        record_change(
            event_id=event_id,
            reason=Activity.Kind.RELEASED,
            groups=released,
            staff=staff,
            note=note,
            now=now,
        )


# The status each staff change leaves its seats in.
_STATUS_AFTER = {
    Activity.Kind.BLOCKED: SeatStatus.BLOCKED,
    Activity.Kind.UNBLOCKED: SeatStatus.AVAILABLE,
    Activity.Kind.BOOKED: SeatStatus.BOOKED,
}


def _record(
    event_id: int,
    kind: Activity.Kind,
    seats: list[Seat],
    staff: str,
    now: datetime,
    note: str = "",
) -> int:
    """A change staff made to these seats, under the staff member's holder id."""
    status = _STATUS_AFTER[kind]
    return record_change(
        event_id=event_id,
        reason=kind,
        groups=[
            group(
                staff_holder(staff), (SeatState(s.id, s.label, status) for s in seats)
            )
        ],
        staff=staff,
        note=note,
        now=now,
    )


def _running(seat: Seat, now: datetime) -> bool:
    return seat.held_until is not None and seat.held_until > now
