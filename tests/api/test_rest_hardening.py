"""Input that used to crash or trap: out-of-range ids, NUL characters, a
whole hold the seat rules would keep, an abandoned Idempotency-Key, and the
booking admin that must not bypass the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import IdempotencyRecord
from seats.models import Booking, Seat
from tests.api.rest import problem

pytestmark = pytest.mark.django_db

HUGE = 2**70


def test_ids_beyond_64_bits_are_refused_not_a_crash(shop, event, seat_ids):
    problem(shop.hold(event.id, [HUGE]), 422, "bad_request")
    token = shop.hold_token(event.id, seat_ids[:1])
    problem(
        shop.post("/holds/{token}/release", {"seat_ids": [HUGE]}, token=token),
        422,
        "bad_request",
    )
    problem(shop.book(token, seat_ids=[HUGE]), 422, "bad_request")


def test_nul_characters_are_refused_everywhere(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:1])
    problem(shop.book(token, external_reference="a\x00b"), 422, "bad_request")
    problem(shop.book(token, customer={"name": "A\x00"}), 422, "bad_request")
    problem(shop.book("tok\x00en"), 422, "bad_request")
    problem(
        shop.post(
            "/events/{event_id}/holds",
            {"best": {"count": 1, "category": "x\x00"}},
            event_id=event.id,
        ),
        422,
        "bad_request",
    )
    problem(shop.get("/holds/{token}", token="a%00b"), 404, "hold_not_found")
    problem(
        shop.get("/bookings/{reference}", reference="a%00b"), 404, "booking_not_found"
    )


def test_releasing_the_whole_hold_is_never_refused_by_the_seat_rules(
    shop, make_event, hold_settings
):
    event = make_event(rows=1, seats_per_row=5, avoid_single_seats=True)
    ids = list(event.seats.order_by("pk").values_list("id", flat=True))
    token = shop.hold_token(event.id, ids[1:3])
    shop.hold(event.id, ids[:1])  # another hold next to it
    # Releasing seat 2 alone would leave it free between held 1 and 3:
    # refused. Releasing the whole hold is always allowed.
    problem(
        shop.post("/holds/{token}/release", {"seat_ids": [ids[1]]}, token=token),
        409,
        "single_seat_left",
    )
    released = shop.delete("/holds/{token}", token=token)
    assert released.status_code == 200
    assert sorted(released.json()["released"]) == ids[1:3]
    assert not Seat.objects.filter(id__in=ids[1:3], hold__isnull=False).exists()


def test_an_abandoned_idempotency_claim_is_taken_over(shop, event, seat_ids, sell_key):
    api_key, _ = sell_key
    IdempotencyRecord.objects.create(
        api_key=api_key,
        key="order-9",
        fingerprint="from a worker that died",
        created_at=timezone.now() - timedelta(minutes=5),
    )
    response = shop.hold(event.id, seat_ids[:1], headers={"Idempotency-Key": "order-9"})
    assert response.status_code == 201
    record = IdempotencyRecord.objects.get(key="order-9")
    assert record.status == 201


def test_the_booking_admin_is_read_only_and_cancels_through_the_service(
    admin_client, shop, event, seat_ids
):
    token = shop.hold_token(event.id, seat_ids[:2])
    reference = shop.book(token).json()["reference"]
    booking = Booking.objects.get(reference=reference)
    page = admin_client.get(f"/admin/seats/booking/{booking.pk}/change/")
    assert page.status_code == 200
    assert b'name="cancelled_at"' not in page.content
    chosen = {"action": "cancel_bookings", "_selected_action": [booking.pk]}
    asked = admin_client.post("/admin/seats/booking/", chosen)
    assert asked.status_code == 200 and b"Cancel these bookings?" in asked.content
    booking.refresh_from_db()
    assert booking.cancelled_at is None  # only asked so far
    response = admin_client.post("/admin/seats/booking/", chosen | {"apply": "1"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    assert not Seat.objects.filter(id__in=seat_ids[:2], booking__isnull=False).exists()


@pytest.mark.parametrize("raw", ["5", "[1]", '"seat_ids"', "true"])
def test_a_body_that_is_no_object_is_refused_and_releases_nothing(
    shop, event, seat_ids, raw
):
    token = shop.hold_token(event.id, seat_ids[:2])

    response = shop.call("POST", "/holds/{token}/release", raw=raw, token=token)

    assert "must be a JSON object" in problem(response, 422, "bad_request")["detail"]
    assert (
        shop.get("/holds/{token}", token=token).json()["seats"][1]["id"] == seat_ids[1]
    )
