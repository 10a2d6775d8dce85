"""Turning a running hold into a booking, and cancelling bookings."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from seats.errors import BadRequest, BookingNotFound, CheckoutRequired, HoldExpired
from seats.models import Activity, Booking, BuyerDetails, Event, Seat, SeatStatus
from seats.outbox import types
from seats.outbox import writer as outbox
from seats.services.booked_seats import mark_cancelled, record_sold
from seats.services.buyers import checked_buyer
from seats.services.changes import record_change
from seats.services.hold_parts import check_own_running, distinct, drop_if_empty
from seats.services.hold_rows import require_token
from seats.services.locking import (
    lock_holds,
    lock_seats,
    locked_transaction,
    retried_after_deadlock,
)
from seats.services.seat_rules import refuse_part_of_table
from seats.signals import SeatState, group

# Crockford-style alphabet: no 0/O or 1/I/L to misread over the phone.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Customer:
    """Who bought, as the shop tells us; all optional."""

    name: str = ""
    email: str = ""
    # The shop's own order or payment id.
    external_reference: str = ""


@dataclass(frozen=True, slots=True)
class BookingResult:
    reference: str
    seat_ids: list[int]
    # The booking as it was written (the REST API and webhooks show it).
    booking: Booking


@retried_after_deadlock
def book_seats(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int],
    customer: Customer | None = None,
    now: datetime | None = None,
    hold_token: str | None = None,
) -> BookingResult:
    """Turn seats of the holder's running hold into one booking; all or nothing.

    With `hold_token`, only seats of that very hold (HoldNotFound otherwise,
    checked under the hold's lock).

    The hold must still be running at `now`: a hold past its time cannot be
    booked even if the sweeper has not released it yet. The customer's name
    and email are checked as the event wants them (seats.services.buyers).
    """
    now = now or timezone.now()
    customer = customer or Customer()
    wanted = distinct(seat_ids)
    with locked_transaction():
        seats = lock_seats(event_id, wanted)
        check_own_running(seats, holder, now)
        whole = {s.table for s in seats if s.whole_table}
        if whole:
            # A table sold whole is booked whole: part of it booked would
            # leave the rest unsellable (no request may take part of it).
            refuse_part_of_table(
                event_id, whole, holder, (), [s.id for s in seats], now, verb="book"
            )
        # Read with the seats (statements.select_seats): no statement of its own.
        name, email = checked_buyer(
            name=customer.name,
            email=customer.email,
            wanted=getattr(seats[0], "buyer_details", BuyerDetails.NONE),
        )
        tokens = lock_holds(s.hold_id for s in seats)
        require_token(tokens, hold_token)
        # One hold per holder and event: the seats' one token.
        token = next(iter(tokens.values()), None)
        booking = Booking.objects.create(
            reference=new_booking_reference(),
            event_id=event_id,
            holder=holder,
            created_at=now,
            external_reference=customer.external_reference,
            customer_name=name,
            customer_email=email,
            seat_list=[{"id": s.id, "label": s.label} for s in seats],
            hold_token=token or "",
        )
        booked = (
            Seat.objects.filter(id__in=wanted)
            .held_by(holder, now)
            .update(booking=booking, hold=None, holder="", held_until=None)
        )
        if booked != len(wanted):  # pragma: no cover - guarded by the lock
            raise HoldExpired(seat_ids=wanted)
        record_sold(booking, wanted)
        drop_if_empty(list(tokens))
        version = record_change(
            event_id=event_id,
            reason=Activity.Kind.BOOKED,
            groups=[
                group(
                    holder,
                    (SeatState(s.id, s.label, SeatStatus.BOOKED) for s in seats),
                    token,
                )
            ],
            now=now,
        )
        outbox.enqueue_booking(
            types.BOOKING_CREATED, version=version, booking=booking, now=now
        )
    return BookingResult(reference=booking.reference, seat_ids=wanted, booking=booking)


def book_from_map(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int],
    customer: Customer | None = None,
    now: datetime | None = None,
) -> BookingResult:
    """A booking asked for on the seat map itself, without a payment step.

    Refused for an event sold through a shop's checkout (`checkout_url`):
    there only the shop books, through the API, once the customer has paid.
    """
    if Event.objects.filter(pk=event_id).exclude(checkout_url="").exists():
        raise CheckoutRequired()
    return book_seats(
        event_id=event_id,
        holder=holder,
        seat_ids=seat_ids,
        customer=customer,
        now=now,
    )


@retried_after_deadlock
def cancel_booking(
    *,
    reference: str,
    now: datetime | None = None,
    seat_ids: Sequence[int] | None = None,
    staff: str = "",
) -> Booking:
    """Free the booking's seats (live) and mark it cancelled; the record stays.

    With `seat_ids`, only those of its seats (BadRequest for seats not in
    it); the booking is cancelled once no seat is left in it. Its booked
    seats (`BookedSeat`) keep every seat it was sold with, the freed ones
    marked cancelled at `now` with their refund. Cancelling a cancelled
    booking changes nothing and returns it as it is, so a retried cancel is
    harmless. `staff` names the staff member who cancelled, for the log.
    """
    now = now or timezone.now()
    if "\x00" in reference:  # no reference has one; PostgreSQL would refuse it
        raise BookingNotFound()
    with locked_transaction():
        booking_id = (
            Booking.objects.filter(reference=reference)
            .values_list("id", flat=True)
            .first()
        )
        if booking_id is None:
            raise BookingNotFound()
        # Seats first, then the booking: the lock order of every service.
        seats = list(
            Seat.objects.select_for_update()
            .filter(booking_id=booking_id)
            .order_by("pk")
            .only("id", "label", "event_id")
        )
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.is_cancelled:
            return booking
        freed = seats
        if seat_ids is not None:
            wanted = set(distinct(seat_ids))
            strangers = wanted - {s.id for s in seats}
            if strangers:
                raise BadRequest(
                    "Some of these seats are not in this booking.", seat_ids=strangers
                )
            freed = [s for s in seats if s.id in wanted]
        Seat.objects.filter(id__in=[s.id for s in freed]).update(booking=None)
        mark_cancelled(booking_id=booking.id, seat_ids=[s.id for s in freed], now=now)
        whole = len(freed) == len(seats)
        if whole:
            booking.cancelled_at = now
            booking.save(update_fields=["cancelled_at"])
        # Booked seats cannot be deleted (PROTECT), so there is at least one.
        version = record_change(
            event_id=booking.event_id,
            reason=Activity.Kind.CANCELLED,
            groups=[
                group(
                    booking.holder,
                    (SeatState(s.id, s.label, SeatStatus.AVAILABLE) for s in freed),
                )
            ],
            staff=staff,
            now=now,
        )
        if whole:
            outbox.enqueue_booking(
                types.BOOKING_CANCELLED, version=version, booking=booking, now=now
            )
    return booking


def new_booking_reference() -> str:
    return "BK-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
