"""The webhook outbox: rows written in the change's own transaction.

Runs on SQLite and, in `make test`, on PostgreSQL too.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from seats import services
from seats.errors import SeatsUnavailable
from seats.models import Booking, Hold
from seats.outbox.models import WebhookDelivery, WebhookEndpoint
from seats.services import tokens
from tests.conftest import later

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint() -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url="https://shop.example/hooks")


def bodies(event_type: str) -> list[dict]:
    return [
        d.payload
        for d in WebhookDelivery.objects.filter(event_type=event_type).order_by("id")
    ]


def test_a_hold_writes_one_signed_message_per_endpoint_with_its_token(
    event, seat_ids, endpoint
):
    other = WebhookEndpoint.objects.create(url="https://crm.example/hooks")
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:2], now=later(0)
    )
    token = Hold.objects.get(holder="alice").token
    rows = list(WebhookDelivery.objects.order_by("endpoint_id"))
    assert [r.endpoint_id for r in rows] == [endpoint.id, other.id]
    assert len({r.message_id for r in rows}) == 2
    body = rows[0].payload
    assert body["type"] == "seats.held"
    assert body["data"]["hold_token"] == token
    assert body["data"]["holder"] == "alice"
    assert [s["id"] for s in body["data"]["seats"]] == seat_ids[:2]
    assert rows[0].version == event.__class__.objects.get(pk=event.pk).version


def test_nothing_is_written_without_endpoints_or_for_disabled_ones(event, seat_ids):
    WebhookEndpoint.objects.create(url="https://off.example/", enabled=False)
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(0)
    )
    assert not WebhookDelivery.objects.exists()


def test_endpoints_get_only_the_types_they_asked_for(event, seat_ids):
    WebhookEndpoint.objects.create(
        url="https://a.example/", event_types=["seats.booked"]
    )
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(0)
    )
    assert not WebhookDelivery.objects.exists()
    services.book_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(1)
    )
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == [
        "seats.booked"
    ]


def test_a_change_that_rolls_back_leaves_no_message(event, seat_ids, endpoint):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.hold_seats(
            event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(0)
        )
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the caller's transaction fails after the hold")
    assert not WebhookDelivery.objects.exists()


def test_a_refused_request_writes_nothing(event, seat_ids, endpoint):
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(0)
    )
    before = WebhookDelivery.objects.count()
    with pytest.raises(SeatsUnavailable):
        services.hold_seats(
            event_id=event.id, holder="bob", seat_ids=seat_ids[:1], now=later(1)
        )
    assert WebhookDelivery.objects.count() == before


def test_a_sweep_sends_one_expired_message_per_hold_with_each_token(
    event, seat_ids, endpoint
):
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:2], now=later(0)
    )
    services.hold_seats(
        event_id=event.id, holder="bob", seat_ids=seat_ids[2:3], now=later(1)
    )
    token_of = dict(Hold.objects.values_list("holder", "token"))
    services.release_expired(now=later(10_000))
    expired = bodies("seats.expired")
    assert {b["data"]["holder"]: b["data"]["hold_token"] for b in expired} == token_of
    assert {len(b["data"]["seats"]) for b in expired} == {1, 2}
    # One change, one version, however many holds it ended.
    assert len({b["data"]["version"] for b in expired}) == 1


def test_a_lapsed_hold_taken_over_unswept_still_reports_its_expiry(
    event, seat_ids, endpoint
):
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(0)
    )
    alice_token = Hold.objects.get(holder="alice").token
    services.hold_seats(
        event_id=event.id, holder="bob", seat_ids=seat_ids[:1], now=later(10_000)
    )
    (expired,) = bodies("seats.expired")
    assert expired["data"]["hold_token"] == alice_token


def test_booking_and_cancelling_tell_the_shop(event, seat_ids, endpoint):
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:2], now=later(0)
    )
    token = Hold.objects.get(holder="alice").token
    result = tokens.book(
        token,
        customer=services.Customer(
            name="Ada", email="ada@example.com", external_reference="order-1"
        ),
        now=later(1),
    )
    (created,) = bodies("booking.created")
    booking = created["data"]["booking"]
    assert booking["reference"] == result.reference
    assert booking["hold_token"] == token
    assert booking["external_reference"] == "order-1"
    assert booking["status"] == "confirmed"
    assert [s["id"] for s in booking["seats"]] == seat_ids[:2]

    services.cancel_booking(reference=result.reference, now=later(2))
    services.cancel_booking(reference=result.reference, now=later(3))  # harmless
    (cancelled,) = bodies("booking.cancelled")
    assert cancelled["data"]["booking"]["status"] == "cancelled"
    assert cancelled["data"]["version"] > created["data"]["version"]
    (freed,) = bodies("seats.cancelled")
    assert {s["status"] for s in freed["data"]["seats"]} == {"available"}
    assert Booking.objects.get().cancelled_at is not None


def test_a_renewed_hold_never_lends_its_new_token_to_an_old_expiry(
    event, seat_ids, endpoint
):
    """The holder comes back after their hold lapsed (not swept yet)."""
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(0)
    )
    old = Hold.objects.get(holder="alice").token
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[1:2], now=later(1000)
    )
    new = Hold.objects.get(holder="alice").token
    assert new != old
    services.release_expired(now=later(1001))  # nothing of the new hold lapsed
    (expired,) = bodies("seats.expired")
    assert expired["data"]["hold_token"] == old
    assert [s["id"] for s in expired["data"]["seats"]] == seat_ids[:1]
    assert tokens.running_hold(new, now=later(1001)).token == new


def test_coming_back_for_the_same_lapsed_seat_expires_it_once(
    event, seat_ids, endpoint
):
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(0)
    )
    old = Hold.objects.get(holder="alice").token
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(1000)
    )
    (expired,) = bodies("seats.expired")
    assert expired["data"]["hold_token"] == old
    (held_again,) = bodies("seats.held")[1:]
    assert held_again["data"]["hold_token"] == Hold.objects.get(holder="alice").token


def test_a_change_of_more_seats_than_a_chunk_logs_every_seat_under_one_version(
    make_event, hold_settings
):
    """Past CHUNK rows the log goes on in further statements (PostgreSQL
    writes the first chunk with the version bump itself)."""
    from seats.models import Activity
    from seats.services.changes import CHUNK

    hold_settings.SEAT_MAX_PER_HOLDER = 2 * CHUNK
    event = make_event(rows=2, seats_per_row=CHUNK // 2 + 10)
    ids = list(event.seats.order_by("pk").values_list("id", flat=True))
    assert len(ids) > CHUNK
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=ids, now=later(0))
    logged = Activity.objects.filter(event=event, kind="held")
    assert logged.count() == len(ids)
    assert set(logged.values_list("version", flat=True)) == {1}
    assert sorted(logged.values_list("seat_id", flat=True)) == ids
