"""Sending the outbox: signed, retried, in order per endpoint, never redirected.

The worker's passes run in the test's thread against a real local HTTP
receiver; every body it gets is verified and validated (conftest).
"""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from prometheus_client import REGISTRY
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from seats import services
from seats.outbox import writer as outbox
from seats.outbox.models import WebhookDelivery, WebhookEndpoint
from tests.webhooks.conftest import drain
from tests.webhooks.receiver import Reply, checked
from webhooks import delivery, signing

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def hold(event, holder: str, seat_ids: list[int]):
    return services.hold_seats(event_id=event.id, holder=holder, seat_ids=seat_ids)


def test_a_hold_is_delivered_signed_and_verifiable(event, seat_ids, receiver, endpoint):
    delivered_before = metric("seats_webhook_attempts_total", outcome="delivered")
    lag_before = metric("seats_webhook_delivery_lag_seconds_count")
    result = hold(event, "alice", seat_ids[:2])

    drain()

    (request,) = receiver.wait_for(1)
    row = WebhookDelivery.objects.get()
    payload = checked(request, endpoint.secret)
    assert payload["type"] == "seats.held"
    assert payload["data"]["holder"] == "alice"
    assert payload["data"]["hold_token"] == result.token
    assert [s["id"] for s in payload["data"]["seats"]] == seat_ids[:2]
    assert {s["status"] for s in payload["data"]["seats"]} == {"held"}
    assert request.headers["webhook-id"] == row.message_id
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == signing.USER_AGENT
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.headers["webhook-timestamp"].isdigit()
    assert request.body == signing.body_bytes(row.payload)
    assert row.status == Status.DELIVERED
    assert row.attempts == 1
    assert row.last_status_code == 204
    assert row.last_error == ""
    assert row.delivered_at is not None and row.last_attempt_at is not None
    assert (
        metric("seats_webhook_attempts_total", outcome="delivered")
        == delivered_before + 1
    )
    assert metric("seats_webhook_delivery_lag_seconds_count") == lag_before + 1


def test_a_tampered_body_or_another_secret_fails_verification(
    event, seat_ids, receiver, endpoint
):
    hold(event, "alice", seat_ids[:1])
    drain()
    (request,) = receiver.wait_for(1)
    assert checked(request, endpoint.secret)["data"]["holder"] == "alice"

    tampered = request.body.replace(b'"alice"', b'"mallory"')
    assert tampered != request.body
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(tampered, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(WebhookEndpoint().secret).verify(request.body, request.headers)
    replayed_later = {
        **request.headers,
        "webhook-timestamp": str(int(request.headers["webhook-timestamp"]) + 1),
    }
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request.body, replayed_later)


def test_three_failures_then_success_is_four_attempts_of_one_message(
    event, seat_ids, receiver, endpoint, settings
):
    # The retry must not fall due within the first pass, however slow the
    # machine (with the quick 20 ms backoff, a slow pass made three attempts).
    settings.SEAT_WEBHOOK_RETRY_BASE_SECONDS = 60.0
    settings.SEAT_WEBHOOK_RETRY_MAX_SECONDS = 60.0
    receiver.respond(500, 500, 500)
    hold(event, "alice", seat_ids[:1])

    delivery.deliver_due()
    row = WebhookDelivery.objects.get()
    endpoint.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == (Status.PENDING, 1, 500)
    assert row.last_error.startswith("HTTP 500")
    assert row.next_attempt_at > row.last_attempt_at
    assert endpoint.failing_since is not None

    # Then quick retries, the first of them due now.
    settings.SEAT_WEBHOOK_RETRY_BASE_SECONDS = 0.02
    settings.SEAT_WEBHOOK_RETRY_MAX_SECONDS = 0.1
    WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    drain()

    requests = receiver.wait_for(4)
    assert len(receiver.requests) == 4
    assert {r.id for r in requests} == {row.message_id}
    assert {r.body for r in requests} == {requests[0].body}
    row.refresh_from_db()
    endpoint.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == (
        Status.DELIVERED,
        4,
        204,
    )
    assert endpoint.failing_since is None


def test_an_attempt_that_times_out_is_retried(
    event, seat_ids, receiver, endpoint, settings
):
    settings.SEAT_WEBHOOK_TIMEOUT_SECONDS = 0.3
    # The retry must not fall due within the first pass, however slow the machine.
    settings.SEAT_WEBHOOK_RETRY_BASE_SECONDS = 60.0
    settings.SEAT_WEBHOOK_RETRY_MAX_SECONDS = 60.0
    receiver.respond(Reply(200, delay=1.5))
    errors_before = metric("seats_webhook_attempts_total", outcome="error")
    hold(event, "alice", seat_ids[:1])

    delivery.deliver_due()
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == (Status.PENDING, 1, None)
    assert "0.3s" in row.last_error
    assert metric("seats_webhook_attempts_total", outcome="error") == errors_before + 1
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=30)

    # Time passes: the retry is due.
    WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    drain()
    first, second = receiver.wait_for(2)
    assert first.id == second.id == row.message_id
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.DELIVERED, 2)


def test_a_redirect_is_a_failure_and_is_never_followed(
    event, seat_ids, make_receiver, make_endpoint
):
    receiver, elsewhere = make_receiver(), make_receiver()
    receiver.default = Reply(302, headers={"Location": elsewhere.url("/stolen")})
    make_endpoint(receiver)
    hold(event, "alice", seat_ids[:1])

    drain(until=lambda: len(receiver.requests) >= 3)

    row = WebhookDelivery.objects.get()
    assert (row.status, row.last_status_code) == (Status.PENDING, 302)
    assert row.attempts == len(receiver.requests) >= 3
    assert "redirect" in row.last_error
    assert elsewhere.requests == []


def test_a_rolled_back_change_writes_and_sends_nothing(
    event, seat_ids, receiver, endpoint, django_capture_on_commit_callbacks
):
    class Undo(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Undo), transaction.atomic():
            hold(event, "alice", seat_ids[:1])
            assert WebhookDelivery.objects.count() == 1  # written, inside
            raise Undo

    assert WebhookDelivery.objects.count() == 0
    assert not outbox.written.is_set()
    assert delivery.deliver_due() == 0

    # The same change, committed this time, is sent (and only it).
    with django_capture_on_commit_callbacks(execute=True):
        hold(event, "bob", seat_ids[1:2])
    assert outbox.written.is_set()
    drain()
    (request,) = receiver.wait_for(1)
    assert request.json["data"]["holder"] == "bob"
    assert len(receiver.requests) == 1


def test_an_endpoints_messages_go_in_version_order_and_wait_for_the_first(
    event, seat_ids, make_receiver, make_endpoint, settings
):
    # Retries a second apart: with the suite's milliseconds, a busy machine
    # could find the first retry due within the same pass.
    settings.SEAT_WEBHOOK_RETRY_BASE_SECONDS = 1.0
    settings.SEAT_WEBHOOK_RETRY_MAX_SECONDS = 1.0
    failing, healthy = make_receiver(), make_receiver()
    make_endpoint(failing)
    make_endpoint(healthy)
    failing.respond(500, 500)
    for n, holder in enumerate(["alice", "bob", "carol"]):
        hold(event, holder, [seat_ids[n]])

    delivery.deliver_due()

    # The first message failed: the later ones of that endpoint wait for it,
    # while the other endpoint got all three.
    assert [r.json["data"]["holder"] for r in failing.requests] == ["alice"]
    assert [r.json["data"]["holder"] for r in healthy.wait_for(3)] == [
        "alice",
        "bob",
        "carol",
    ]

    drain()

    versions = [r.json["data"]["version"] for r in failing.wait_for(5)]
    assert versions == sorted(versions)
    assert [r.json["data"]["holder"] for r in failing.requests] == [
        "alice",
        "alice",
        "alice",
        "bob",
        "carol",
    ]


def test_an_endpoint_gets_only_the_types_it_asked_for(
    event, seat_ids, make_receiver, make_endpoint
):
    everything, bookings = make_receiver(), make_receiver()
    make_endpoint(everything)
    make_endpoint(bookings, event_types=["booking.created"])
    switched_off = make_endpoint(make_receiver())
    WebhookEndpoint.objects.filter(pk=switched_off.pk).update(enabled=False)

    hold(event, "alice", seat_ids[:1])
    services.book_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])
    drain()

    assert [r.json["type"] for r in everything.wait_for(3)] == [
        "seats.held",
        "seats.booked",
        "booking.created",
    ]
    assert [r.json["type"] for r in bookings.wait_for(1)] == ["booking.created"]
    assert len(bookings.requests) == 1
    assert not WebhookDelivery.objects.filter(endpoint=switched_off).exists()


def test_a_message_is_given_up_after_retry_for_and_the_queue_moves_on(
    event, seat_ids, receiver, endpoint, settings
):
    settings.SEAT_WEBHOOK_RETRY_FOR_SECONDS = 0.3
    receiver.default = Reply(503)
    given_up_before = metric("seats_webhook_given_up_total")
    hold(event, "alice", seat_ids[:1])
    hold(event, "bob", seat_ids[1:2])
    first, second = WebhookDelivery.objects.order_by("id")

    drain(until=lambda: not WebhookDelivery.objects.filter(status="pending").exists())

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Status.FAILED
    assert first.attempts >= 2  # retried before it was given up
    assert metric("seats_webhook_given_up_total") == given_up_before + 2
    holders = [r.json["data"]["holder"] for r in receiver.requests]
    assert holders == ["alice"] * first.attempts + ["bob"] * second.attempts
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is not None


def test_an_endpoint_failing_longer_than_disable_after_is_switched_off(
    event, seat_ids, receiver, endpoint, settings
):
    settings.SEAT_WEBHOOK_DISABLE_AFTER_SECONDS = 0.3
    receiver.default = Reply(500)
    hold(event, "alice", seat_ids[:1])

    drain(until=lambda: not WebhookEndpoint.objects.get(pk=endpoint.pk).enabled)

    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    assert endpoint.failing_since.strftime("%Y-%m-%dT%H:%M:%S") in (
        endpoint.disabled_reason
    )
    row = WebhookDelivery.objects.get()
    assert row.status == Status.PENDING  # kept for when staff enable it again
    attempts = len(receiver.requests)
    assert attempts == row.attempts >= 2

    # Nothing more is attempted, and new changes write nothing for it.
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    hold(event, "bob", seat_ids[1:2])
    assert delivery.deliver_due() == 0
    assert len(receiver.requests) == attempts
    assert WebhookDelivery.objects.count() == 1


def test_backoff_doubles_from_the_base_up_to_the_cap_with_jitter(settings):
    settings.SEAT_WEBHOOK_RETRY_BASE_SECONDS = 1.0
    settings.SEAT_WEBHOOK_RETRY_MAX_SECONDS = 10.0
    for failures, expected in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (500, 10)]:
        delays = [delivery.backoff_seconds(failures) for _ in range(50)]
        assert all(0.8 * expected <= d <= 1.2 * expected for d in delays), failures
        assert len(set(delays)) > 1  # jittered, not in lockstep


def test_one_sender_per_endpoint_the_lease_is_taken_once(endpoint, settings):
    now = timezone.now()
    lease = delivery.claim(endpoint.pk, now)
    assert lease is not None
    assert delivery.claim(endpoint.pk, now) is None
    assert delivery.deliver_endpoint(endpoint.pk) == 0  # owned elsewhere

    # A lease that lapsed (its worker died) is taken over, and the old
    # owner can neither renew nor release it any more.
    later = lease + timedelta(seconds=1)
    taken_over = delivery.claim(endpoint.pk, later)
    assert taken_over is not None
    assert delivery.renew(endpoint.pk, lease, later) is None
    delivery.release(endpoint.pk, lease)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).lease_until == taken_over
    delivery.release(endpoint.pk, taken_over)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).lease_until is None


def test_a_message_left_by_a_dead_worker_is_sent_again_with_the_same_id(
    event, seat_ids, receiver, endpoint
):
    """The worker died after its request and before writing the outcome: the
    row is still pending under its lease; once that lapses it is sent again."""
    hold(event, "alice", seat_ids[:1])
    row = WebhookDelivery.objects.get()
    now = timezone.now()
    lease = delivery.claim(endpoint.pk, now)
    assert lease is not None
    body = signing.body_bytes(row.payload)
    headers = signing.attempt_headers(
        secret=endpoint.secret, message_id=row.message_id, body=body, at=now
    )
    assert delivery.post(endpoint.url, body, headers, timeout=2).delivered
    # ... and here it died: nothing written, the lease left behind.
    assert delivery.deliver_due() == 0
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        lease_until=now - timedelta(seconds=1)
    )

    drain()

    first, second = receiver.wait_for(2)
    assert first.id == second.id == row.message_id
    assert first.body == second.body
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.DELIVERED, 1)


def test_a_bad_secret_is_a_failed_attempt_not_a_crash(
    event, seat_ids, receiver, endpoint, settings
):
    # The retry must not fall due within this pass, however slow the machine.
    settings.SEAT_WEBHOOK_RETRY_BASE_SECONDS = 60.0
    settings.SEAT_WEBHOOK_RETRY_MAX_SECONDS = 60.0
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret="whsec_")
    hold(event, "alice", seat_ids[:1])

    assert delivery.deliver_due() == 1

    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == (Status.PENDING, 1, None)
    assert "cannot sign" in row.last_error
    assert receiver.requests == []


def test_only_http_and_https_urls_are_sent_to():
    outcome = delivery.post("ftp://127.0.0.1/x", b"{}", {}, timeout=1)
    assert (outcome.delivered, outcome.label) == (False, "error")


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_timeout():
    """Each byte comes before the socket's read timeout, yet the attempt as a
    whole still ends at its timeout (and so inside its lease)."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nx-padding: " + b"." * 200:
                if stop.wait(0.05):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        port = server.getsockname()[1]
        outcome = delivery.post(f"http://127.0.0.1:{port}/", b"{}", {}, timeout=0.3)
    finally:
        stop.set()
        thread.join(5)
        server.close()

    assert outcome == delivery.Outcome(None, "no answer within 0.3s")
