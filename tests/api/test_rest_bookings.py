"""Bookings through the REST API: from a hold token (the API's or a browser's),
read back, and cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from seats import services
from seats.holders import new_holder_id
from seats.models import Activity, Booking, Event, Hold, Seat
from tests.api.rest import problem

pytestmark = pytest.mark.django_db


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def statuses(seat_ids: list[int]) -> list[str]:
    now = timezone.now()
    by_id = dict(
        Seat.objects.filter(id__in=seat_ids)
        .with_status(now)
        .values_list("id", "status")
    )
    return [by_id[i] for i in seat_ids]


def version(event_id: int) -> int:
    return Event.objects.values_list("version", flat=True).get(pk=event_id)


def lapse(token: str) -> None:
    past = timezone.now() - timedelta(seconds=1)
    Hold.objects.filter(token=token).update(expires_at=past)
    Seat.objects.filter(hold__token=token).update(held_until=past)


def booked_seat(seat_id: int, label: str, number: int) -> dict:
    """A seat of the test venue's front row as a fresh booking shows it."""
    return {
        "id": seat_id,
        "label": label,
        "status": "booked",
        "section": "Stalls",
        "row": "A",
        "number": number,
        "category": "premium",
        "price": "60.00",
        "currency": "EUR",
        "cancelled_at": None,
        "refunded": None,
    }


def test_booking_a_whole_hold(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])
    holder = Hold.objects.get(token=token).holder
    before = timezone.now()

    response = shop.book(
        token,
        external_reference="order-1234",
        customer={"name": "Ada Lovelace", "email": "ada@example.org"},
    )

    assert response.status_code == 201
    booking = response.json()
    assert booking["reference"].startswith("BK-")
    assert booking == {
        "reference": booking["reference"],
        "event_id": event.id,
        "status": "confirmed",
        "external_reference": "order-1234",
        "customer": {"name": "Ada Lovelace", "email": "ada@example.org"},
        "seats": [
            booked_seat(seat_ids[0], "A1", 1),
            booked_seat(seat_ids[1], "A2", 2),
        ],
        "hold_token": token,
        "created_at": booking["created_at"],
        "cancelled_at": None,
    }
    assert before - timedelta(milliseconds=1) <= when(booking["created_at"])
    assert when(booking["created_at"]) <= timezone.now()
    # Stored as sent, and the seats are booked: the token is spent.
    row = Booking.objects.get(reference=booking["reference"])
    assert (row.external_reference, row.customer_name, row.customer_email) == (
        "order-1234",
        "Ada Lovelace",
        "ada@example.org",
    )
    assert (row.holder, row.hold_token) == (holder, token)
    assert statuses(seat_ids[:2]) == ["booked", "booked"]
    assert set(Seat.objects.filter(booking=row).values_list("id", flat=True)) == set(
        seat_ids[:2]
    )
    assert not Hold.objects.filter(token=token).exists()
    problem(shop.get("/holds/{token}", token=token), 404, "hold_not_found")
    assert version(event.id) == 2


def test_booking_needs_no_customer(shop, event, seat_ids):
    response = shop.book(shop.hold_token(event.id, seat_ids[:1]))

    assert response.status_code == 201
    booking = response.json()
    assert booking["customer"] == {"name": "", "email": ""}
    assert booking["external_reference"] == ""


def test_booking_some_seats_of_a_hold_keeps_the_rest_held(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:3])

    response = shop.book(token, seat_ids=[seat_ids[1]])

    assert response.status_code == 201
    assert response.json()["seats"] == [booked_seat(seat_ids[1], "A2", 2)]
    assert statuses(seat_ids[:3]) == ["held", "booked", "held"]
    rest = shop.get("/holds/{token}", token=token)
    assert [s["id"] for s in rest.json()["seats"]] == [seat_ids[0], seat_ids[2]]
    # The rest can be booked later with the same token: a second booking.
    second = shop.book(token)
    assert second.status_code == 201
    assert [s["id"] for s in second.json()["seats"]] == [seat_ids[0], seat_ids[2]]
    assert second.json()["reference"] != response.json()["reference"]
    assert Booking.objects.count() == 2


def test_booking_a_seat_outside_the_hold_is_409_and_books_nothing(
    shop, event, seat_ids
):
    token = shop.hold_token(event.id, seat_ids[:2])
    shop.hold_token(event.id, seat_ids[2:3])

    response = shop.book(token, seat_ids=seat_ids[1:3])

    assert problem(response, 409, "not_holder")["seat_ids"] == [seat_ids[2]]
    assert statuses(seat_ids[:3]) == ["held", "held", "held"]
    assert not Booking.objects.exists()


def test_booking_a_free_seat_with_a_token_is_409(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:1])

    response = shop.book(token, seat_ids=seat_ids[:2])

    problem(response, 409, "not_holder")
    assert statuses(seat_ids[:2]) == ["held", "available"]


@pytest.mark.parametrize(
    "customer",
    [
        {"email": "not-an-email"},
        {"email": "two@at@signs"},
        {"email": "spaces in@example.org"},
        {"email": "x" * 250 + "@example.org"},
        {"name": "n" * 201},
    ],
    ids=["no at", "two ats", "space", "too long", "long name"],
)
def test_an_invalid_customer_is_422_and_books_nothing(shop, event, seat_ids, customer):
    token = shop.hold_token(event.id, seat_ids[:1])

    response = shop.book(token, customer=customer)

    problem(response, 422, "bad_request")
    assert statuses(seat_ids[:1]) == ["held"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"hold_token": ""},
        {"hold_token": "t" * 65},
        {"hold_token": "t", "seat_ids": []},
        {"hold_token": "t", "external_reference": "r" * 201},
    ],
    ids=["no token", "empty token", "long token", "no seats", "long reference"],
)
def test_a_malformed_booking_is_422(shop, body):
    problem(shop.post("/bookings", body), 422, "bad_request")


def test_an_unknown_token_is_404(shop, event, seat_ids):
    response = shop.book("no-such-hold")

    problem(response, 404, "hold_not_found")
    assert not Booking.objects.exists()


def test_a_lapsed_hold_cannot_be_booked(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])
    lapse(token)

    response = shop.book(token)

    problem(response, 404, "hold_not_found")
    assert statuses(seat_ids[:2]) == ["available", "available"]
    assert not Booking.objects.exists()


def test_a_spent_token_cannot_book_twice(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])
    assert shop.book(token).status_code == 201

    problem(shop.book(token), 404, "hold_not_found")
    assert Booking.objects.count() == 1


def test_a_browser_hold_handed_over_by_token_is_booked(shop, event, seat_ids):
    """The map's "Continue to checkout" hands the shop the browser's token."""
    browser = new_holder_id("h")
    services.hold_seats(event_id=event.id, holder=browser, seat_ids=seat_ids[:2])
    token = Hold.objects.get(event=event, holder=browser).token

    held = shop.get("/holds/{token}", token=token)
    response = shop.book(token, external_reference="cart-7")

    assert [s["id"] for s in held.json()["seats"]] == seat_ids[:2]
    assert response.status_code == 201
    booking = Booking.objects.get(reference=response.json()["reference"])
    assert booking.hold_token == token
    assert response.json()["hold_token"] == token
    # The booking belongs to the browser's holder: the very same hold.
    assert booking.holder == browser
    assert statuses(seat_ids[:2]) == ["booked", "booked"]
    assert not Seat.objects.filter(holder=browser).exists()


def test_reading_a_booking(shop, reader, event, seat_ids):
    made = shop.book(
        shop.hold_token(event.id, seat_ids[:2]), external_reference="o-1"
    ).json()

    response = reader.get("/bookings/{reference}", reference=made["reference"])

    assert response.status_code == 200
    assert response.json() == made


def test_an_unknown_booking_is_404(reader):
    response = reader.get("/bookings/{reference}", reference="BK-NOPE2345")

    problem(response, 404, "booking_not_found")


def test_cancelling_frees_the_seats(shop, event, seat_ids):
    made = shop.book(shop.hold_token(event.id, seat_ids[:2])).json()
    before = timezone.now()

    response = shop.post("/bookings/{reference}/cancel", reference=made["reference"])

    assert response.status_code == 200
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["reference"] == made["reference"]
    # What was booked stays on record, each seat marked with its refund.
    assert [s["id"] for s in cancelled["seats"]] == [s["id"] for s in made["seats"]]
    for seat in cancelled["seats"]:
        assert seat["status"] == "cancelled"
        assert seat["cancelled_at"] == cancelled["cancelled_at"]
        assert seat["refunded"] == seat["price"] == "60.00"
    assert when(cancelled["cancelled_at"]) >= before - timedelta(milliseconds=1)
    assert statuses(seat_ids[:2]) == ["available", "available"]
    row = Booking.objects.get(reference=made["reference"])
    assert row.is_cancelled
    assert not Seat.objects.filter(booking=row).exists()
    assert shop.get("/bookings/{reference}", reference=made["reference"]).json() == (
        cancelled
    )
    # Free for anyone again.
    assert shop.hold(event.id, seat_ids[:2]).status_code == 201


def test_cancelling_twice_is_harmless(shop, event, seat_ids):
    made = shop.book(shop.hold_token(event.id, seat_ids[:2])).json()
    first = shop.post("/bookings/{reference}/cancel", reference=made["reference"])
    at = version(event.id)
    activity = Activity.objects.count()

    again = shop.post("/bookings/{reference}/cancel", reference=made["reference"])

    assert again.status_code == 200
    assert again.json() == first.json()
    assert version(event.id) == at
    assert Activity.objects.count() == activity


def test_cancelling_does_not_touch_seats_held_since(shop, event, seat_ids):
    made = shop.book(shop.hold_token(event.id, seat_ids[:2])).json()
    shop.post("/bookings/{reference}/cancel", reference=made["reference"])
    token = shop.hold_token(event.id, seat_ids[:2])

    again = shop.post("/bookings/{reference}/cancel", reference=made["reference"])

    assert again.status_code == 200
    assert statuses(seat_ids[:2]) == ["held", "held"]
    assert shop.get("/holds/{token}", token=token).status_code == 200


def test_cancelling_an_unknown_booking_is_404(shop):
    response = shop.post("/bookings/{reference}/cancel", reference="BK-NOPE2345")

    problem(response, 404, "booking_not_found")


def test_every_change_is_on_the_record(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])
    holder = Hold.objects.get(token=token).holder
    reference = shop.book(token).json()["reference"]
    shop.post("/bookings/{reference}/cancel", reference=reference)

    rows = list(
        Activity.objects.filter(event=event)
        .order_by("version", "seat_id")
        .values_list("version", "kind", "seat_id", "holder")
    )

    assert rows == [
        (1, "held", seat_ids[0], holder),
        (1, "held", seat_ids[1], holder),
        (2, "booked", seat_ids[0], holder),
        (2, "booked", seat_ids[1], holder),
        (3, "cancelled", seat_ids[0], holder),
        (3, "cancelled", seat_ids[1], holder),
    ]
    assert version(event.id) == 3


def test_an_event_that_requires_the_buyer_refuses_a_booking_without_one(
    shop, event, seat_ids
):
    Event.objects.filter(pk=event.pk).update(buyer_details="required")
    token = shop.hold_token(event.id, seat_ids[:1])

    response = shop.book(token, customer={"name": "Ada Lovelace"})

    body = problem(response, 422, "bad_request")
    assert body["detail"] == "This event needs the buyer's email."
    assert statuses(seat_ids[:1]) == ["held"]
    assert not Booking.objects.exists()
    made = shop.book(
        token, customer={"name": "Ada Lovelace", "email": "ada@example.org"}
    )
    assert made.status_code == 201
    assert made.json()["customer"] == {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
    }
