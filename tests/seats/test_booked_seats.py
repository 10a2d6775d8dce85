"""A booking keeps every seat it sold (BookedSeat), cancelled ones marked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError

from seats import reports, services
from seats.errors import BadRequest
from seats.models import BookedSeat, Seat
from seats.services import staff
from tests.conftest import later

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sale_records_each_seat_with_its_place_and_price(event, seat_ids):
    a, b = seat_ids[:2]
    sold = staff.sell_at_box_office(
        event_id=event.id, seat_ids=[b, a], customer_name="Y", staff="ann"
    )
    rows = list(sold.booking.booked_seats.all())
    assert [r.seat_id for r in rows] == [a, b]
    seat = Seat.objects.select_related("category").get(pk=a)
    first = rows[0]
    assert (first.label, first.section, first.row, first.number) == (
        seat.label,
        seat.section,
        seat.row,
        seat.number,
    )
    assert (first.category_code, first.price, first.currency) == (
        seat.category.code,
        seat.category.price,
        seat.category.currency,
    )
    assert first.cancelled_at is None and first.refunded is None


def test_a_booking_from_a_hold_records_its_seats_too(event, seat_ids):
    a, b, c = seat_ids[:3]
    services.hold_seats(
        event_id=event.id, holder="h1", seat_ids=[a, b, c], now=later(0)
    )
    result = services.book_seats(
        event_id=event.id, holder="h1", seat_ids=[a, c], now=later(1)
    )
    assert list(
        BookedSeat.objects.filter(booking=result.booking).values_list(
            "seat_id", flat=True
        )
    ) == [a, c]


def test_a_partly_cancelled_booking_keeps_the_cancelled_seat_and_its_refund(
    event, seat_ids
):
    a, b = seat_ids[:2]
    sold = staff.sell_at_box_office(
        event_id=event.id, seat_ids=[a, b], customer_name="Y", staff="ann", now=later(0)
    )
    staff.cancel_seats(event_id=event.id, seat_ids=[a], staff="bob", now=later(5))

    # The seat is free for sale again; only the record keeps it.
    assert Seat.objects.get(pk=a).booking_id is None
    [line] = reports.bookings_of(event.id, reference=sold.reference)
    assert [(s.seat_id, s.is_cancelled) for s in line.sold] == [(a, True), (b, False)]
    cancelled = line.sold[0]
    assert cancelled.cancelled_at == later(5)
    assert cancelled.refunded == cancelled.price > 0
    assert line.refunded == cancelled.price
    assert [label for label, _, _ in line.seats] == [line.sold[1].label]

    again = staff.sell_at_box_office(
        event_id=event.id, seat_ids=[a], customer_name="Z", staff="ann", now=later(6)
    )
    assert not again.booking.booked_seats.get().is_cancelled


def test_cancelling_the_rest_keeps_the_first_cancellation_time(event, seat_ids):
    a, b = seat_ids[:2]
    sold = staff.sell_at_box_office(
        event_id=event.id, seat_ids=[a, b], customer_name="Y", staff="ann", now=later(0)
    )
    services.cancel_booking(
        reference=sold.reference, seat_ids=[a], staff="bob", now=later(1)
    )
    booking = services.cancel_booking(reference=sold.reference, now=later(2))
    assert booking.is_cancelled
    times = dict(booking.booked_seats.values_list("seat_id", "cancelled_at"))
    assert times == {a: later(1), b: later(2)}
    # A retried cancel changes nothing.
    services.cancel_booking(reference=sold.reference, now=later(3))
    assert dict(booking.booked_seats.values_list("seat_id", "cancelled_at")) == times
    [line] = reports.bookings_of(event.id, reference=sold.reference)
    assert line.refunded == sum((s.price for s in line.sold), Decimal(0))


def test_a_refused_cancellation_marks_nothing(event, seat_ids):
    a, b, c = seat_ids[:3]
    sold = staff.sell_at_box_office(
        event_id=event.id, seat_ids=[a, b], customer_name="Y", staff="ann"
    )
    with pytest.raises(BadRequest):
        services.cancel_booking(reference=sold.reference, seat_ids=[a, c])
    assert not BookedSeat.objects.filter(cancelled_at__isnull=False).exists()


def test_a_booking_records_a_seat_once(event, seat_ids):
    sold = staff.sell_at_box_office(
        event_id=event.id, seat_ids=seat_ids[:1], customer_name="Y", staff="ann"
    )
    [row] = sold.booking.booked_seats.all()
    row.pk = None
    with pytest.raises(IntegrityError):
        row.save()
