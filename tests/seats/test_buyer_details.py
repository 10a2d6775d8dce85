"""Book asks for the buyer's name and email as the event wants them
(Event.buyer_details); a refusal changes nothing."""

from __future__ import annotations

import pytest

from seats import services
from seats.errors import BadRequest
from seats.models import BookedSeat, Booking, BuyerDetails, Event, Hold, Seat
from seats.services import staff
from tests.conftest import later

pytestmark = pytest.mark.django_db(transaction=True)


def wants(event: Event, details: BuyerDetails) -> None:
    Event.objects.filter(pk=event.pk).update(buyer_details=details)


def hold_and_book(event, seat_ids, **customer):
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=seat_ids, now=later(0))
    return services.book_from_map(
        event_id=event.id,
        holder="h1",
        seat_ids=seat_ids,
        customer=services.Customer(**customer),
        now=later(1),
    )


def nothing_booked(seat_ids) -> bool:
    seats = Seat.objects.filter(pk__in=seat_ids)
    return (
        not Booking.objects.exists()
        and not BookedSeat.objects.exists()
        and all(s.booking_id is None and s.holder == "h1" for s in seats)
        and Hold.objects.filter(holder="h1").exists()
    )


def test_events_ask_nothing_by_default(event, seat_ids):
    assert Event.objects.get(pk=event.pk).buyer_details == BuyerDetails.NONE
    result = hold_and_book(event, seat_ids[:1])
    assert (result.booking.customer_name, result.booking.customer_email) == ("", "")


@pytest.mark.parametrize(
    ("customer", "missing"),
    [
        ({}, "name and email"),
        ({"name": "Ada"}, "email"),
        ({"email": "ada@example.org"}, "name"),
        ({"name": "  ", "email": "ada@example.org"}, "name"),
    ],
)
def test_required_details_missing_are_refused_and_nothing_changes(
    event, seat_ids, customer, missing
):
    wants(event, BuyerDetails.REQUIRED)
    with pytest.raises(BadRequest) as refused:
        hold_and_book(event, seat_ids[:2], **customer)
    assert refused.value.message == f"This event needs the buyer's {missing}."
    assert nothing_booked(seat_ids[:2])


@pytest.mark.parametrize("details", [BuyerDetails.OPTIONAL, BuyerDetails.REQUIRED])
def test_a_malformed_email_is_refused(event, seat_ids, details):
    wants(event, details)
    with pytest.raises(BadRequest) as refused:
        hold_and_book(event, seat_ids[:1], name="Ada", email="ada@")
    assert "not an email address" in refused.value.message
    assert nothing_booked(seat_ids[:1])


@pytest.mark.parametrize("email", ["ada@intranet", "josé@example.com"])
def test_addresses_a_shop_took_are_not_refused_after_payment(event, seat_ids, email):
    """As loose as the REST API has always been: one @, no spaces."""
    wants(event, BuyerDetails.OPTIONAL)
    result = hold_and_book(event, seat_ids[:1], name="Ada", email=email)
    assert result is not None
    assert not nothing_booked(seat_ids[:1])


def test_an_email_longer_than_its_column_is_refused(event, seat_ids):
    wants(event, BuyerDetails.OPTIONAL)
    with pytest.raises(BadRequest) as refused:
        hold_and_book(event, seat_ids[:1], name="Ada", email="a" * 250 + "@x.io")
    assert "254 characters" in refused.value.message
    assert nothing_booked(seat_ids[:1])


def test_required_details_given_are_kept_trimmed(event, seat_ids):
    wants(event, BuyerDetails.REQUIRED)
    result = hold_and_book(
        event, seat_ids[:1], name=" Ada Lovelace ", email="ada@example.org "
    )
    booking = Booking.objects.get(pk=result.booking.pk)
    assert (booking.customer_name, booking.customer_email) == (
        "Ada Lovelace",
        "ada@example.org",
    )


def test_optional_details_may_be_left_out(event, seat_ids):
    wants(event, BuyerDetails.OPTIONAL)
    assert hold_and_book(event, seat_ids[:1]).booking.customer_email == ""


def test_the_box_office_needs_the_email_where_the_event_requires_it(event, seat_ids):
    wants(event, BuyerDetails.REQUIRED)
    with pytest.raises(BadRequest):
        staff.sell_at_box_office(
            event_id=event.id, seat_ids=seat_ids[:1], customer_name="Y", staff="ann"
        )
    assert not Seat.objects.filter(booking__isnull=False).exists()
    sold = staff.sell_at_box_office(
        event_id=event.id,
        seat_ids=seat_ids[:1],
        customer_name="Y",
        customer_email="y@example.org",
        staff="ann",
    )
    assert sold.booking.customer_email == "y@example.org"
