"""What each change sends: expiries with their hold token, bookings, cancellations,
and every type of seats/outbox/types.py, each body valid against the schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from seats import services
from seats.outbox import types
from tests.webhooks.conftest import drain
from tests.webhooks.receiver import checked

pytestmark = pytest.mark.django_db


def bodies(receiver, endpoint, count: int) -> list[dict]:
    return [checked(r, endpoint.secret) for r in receiver.wait_for(count)]


def test_a_hold_left_to_expire_is_sent_as_seats_expired_with_its_token(
    event, seat_ids, receiver, endpoint, settings
):
    long_ago = timezone.now() - timedelta(seconds=settings.SEAT_HOLD_SECONDS + 60)
    result = services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:2], now=long_ago
    )

    released = services.release_expired()
    drain()

    assert {s.seat_id for s in released} == set(seat_ids[:2])
    held, expired = bodies(receiver, endpoint, 2)
    assert held["type"] == "seats.held"
    assert expired["type"] == "seats.expired"
    assert expired["data"]["holder"] == "alice"
    assert expired["data"]["hold_token"] == result.token
    assert expired["data"]["version"] == held["data"]["version"] + 1
    assert [s["id"] for s in expired["data"]["seats"]] == seat_ids[:2]
    assert {s["status"] for s in expired["data"]["seats"]} == {"available"}


def test_a_booking_sends_seats_booked_and_booking_created(
    event, seat_ids, receiver, endpoint
):
    result = services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:2]
    )
    booking = services.book_seats(
        event_id=event.id,
        holder="alice",
        seat_ids=seat_ids[:2],
        customer=services.Customer(
            name="Alice Ander", email="alice@example.com", external_reference="ord-7"
        ),
    )
    drain()

    _, booked, created = bodies(receiver, endpoint, 3)
    assert booked["type"] == "seats.booked"
    assert booked["data"]["hold_token"] == result.token
    assert {s["status"] for s in booked["data"]["seats"]} == {"booked"}
    assert created["type"] == "booking.created"
    assert created["data"]["version"] == booked["data"]["version"]
    document = created["data"]["booking"]
    assert document["reference"] == booking.reference
    assert document["status"] == "confirmed"
    assert document["hold_token"] == result.token
    assert document["external_reference"] == "ord-7"
    assert document["customer"] == {"name": "Alice Ander", "email": "alice@example.com"}
    assert [s["id"] for s in document["seats"]] == seat_ids[:2]


def test_cancelling_a_booking_sends_booking_cancelled(
    event, seat_ids, receiver, endpoint
):
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])
    booking = services.book_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1]
    )
    services.cancel_booking(reference=booking.reference)
    services.cancel_booking(reference=booking.reference)  # a retry: nothing new
    drain()

    *_, freed, cancelled = bodies(receiver, endpoint, 5)
    assert len(receiver.requests) == 5
    assert freed["type"] == "seats.cancelled"
    assert {s["status"] for s in freed["data"]["seats"]} == {"available"}
    assert cancelled["type"] == "booking.cancelled"
    assert cancelled["data"]["version"] == freed["data"]["version"]
    assert cancelled["data"]["booking"]["reference"] == booking.reference
    assert cancelled["data"]["booking"]["status"] == "cancelled"
    assert cancelled["data"]["booking"]["cancelled_at"] is not None


def test_every_type_is_sent_and_matches_the_schema(event, seat_ids, receiver, endpoint):
    a, b, c, d = seat_ids[:4]
    now = timezone.now()
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=[a, b], now=now - timedelta(2)
    )
    services.release_expired(now=now)  # expired
    services.hold_seats(
        event_id=event.id,
        holder="bob",
        seat_ids=[a, b, c],
        now=timezone.now() - timedelta(seconds=10),
    )
    services.extend_hold(event_id=event.id, holder="bob")
    services.release_seats(event_id=event.id, holder="bob", seat_ids=[c])
    booking = services.book_seats(event_id=event.id, holder="bob", seat_ids=[a, b])
    services.cancel_booking(reference=booking.reference)
    services.hold_seats(event_id=event.id, holder="carol", seat_ids=[d])
    drain()

    sent = [r.json["type"] for r in receiver.requests]
    assert set(sent) == set(types.ALL_TYPES)
    # Each body was also verified and validated at teardown; one here too.
    for request in receiver.requests:
        checked(request, endpoint.secret)
