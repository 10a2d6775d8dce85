"""The admin screens: endpoints (checkboxes, secret, actions) and the
read-only delivery log with "Retry now"."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seats import services
from seats.outbox import types
from seats.outbox import writer as outbox
from seats.outbox.models import WebhookDelivery, WebhookEndpoint
from tests.webhooks.conftest import drain
from tests.webhooks.receiver import checked

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    return client


def url(name: str, *args) -> str:
    return reverse(f"admin:seats_{name}", args=args)


def act(client: Client, changelist: str, action: str, *pks: int):
    return client.post(
        url(changelist), {"action": action, ACTION_CHECKBOX_NAME: list(pks)}
    )


def test_the_pages_render_for_staff_and_only_for_staff(
    staff, event, seat_ids, endpoint
):
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])
    row = WebhookDelivery.objects.get()

    listing = staff.get(url("webhookendpoint_changelist"))
    assert listing.status_code == 200
    assert endpoint.url in listing.content.decode()
    page = staff.get(url("webhookendpoint_change", endpoint.pk)).content.decode()
    assert f"<code>{endpoint.secret}</code>" in page
    for name in types.ALL_TYPES:
        assert f'value="{name}"' in page
    assert staff.get(url("webhookendpoint_add")).status_code == 200

    log = staff.get(url("webhookdelivery_changelist"))
    assert log.status_code == 200
    assert "seats.held" in log.content.decode()
    assert "Retry now" in log.content.decode()
    detail = staff.get(url("webhookdelivery_change", row.pk))
    assert detail.status_code == 200
    assert row.message_id in detail.content.decode()
    assert staff.get(url("webhookdelivery_add")).status_code == 403

    visitor = Client()
    visitor.force_login(User.objects.create_user("nora", password="pw"))
    for page_url in (
        url("webhookendpoint_changelist"),
        url("webhookdelivery_changelist"),
    ):
        assert visitor.get(page_url).status_code == 302  # to the login page


def test_the_list_counts_pending_deliveries(staff, event, seat_ids, endpoint):
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])
    services.hold_seats(event_id=event.id, holder="bob", seat_ids=seat_ids[1:2])

    listing = staff.get(url("webhookendpoint_changelist"))

    assert listing.context["cl"].result_list.get().pending_count == 2


def test_an_endpoint_is_added_with_ticked_types_and_http_urls_only(staff):
    response = staff.post(
        url("webhookendpoint_add"),
        {
            "url": "https://shop.example/hooks",
            "description": "Shop",
            # Ticked out of order: stored in the types' own order.
            "event_types": ["booking.created", "seats.expired"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["seats.expired", "booking.created"]
    assert endpoint.secret.startswith("whsec_")

    refused = staff.post(
        url("webhookendpoint_add"), {"url": "ftp://shop.example/", "enabled": "on"}
    )
    assert refused.status_code == 200
    assert WebhookEndpoint.objects.count() == 1


def test_retry_now_sends_a_given_up_message_again_keeping_its_attempts(
    staff, event, seat_ids, receiver, endpoint
):
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])
    row = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=Status.FAILED, attempts=7, last_status_code=500
    )
    outbox.written.clear()

    response = act(staff, "webhookdelivery_changelist", "retry_now", row.pk)

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 7)
    assert row.next_attempt_at <= timezone.now()
    assert outbox.written.is_set()
    drain()
    (request,) = receiver.wait_for(1)
    assert request.id == row.message_id
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.DELIVERED, 8)


def test_retry_now_leaves_delivered_messages_alone(
    staff, event, seat_ids, receiver, endpoint
):
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])
    drain()
    act(
        staff,
        "webhookdelivery_changelist",
        "retry_now",
        WebhookDelivery.objects.get().pk,
    )
    assert WebhookDelivery.objects.get().status == Status.DELIVERED
    drain()
    assert len(receiver.requests) == 1


def test_enable_clears_the_failure_and_wakes_the_worker(
    staff, event, seat_ids, receiver, endpoint
):
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False,
        failing_since=timezone.now(),
        disabled_reason="Switched off: every attempt failed since ...",
    )
    outbox.written.clear()

    act(staff, "webhookendpoint_changelist", "enable_endpoints", endpoint.pk)

    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert (endpoint.failing_since, endpoint.disabled_reason) == (None, "")
    assert outbox.written.is_set()
    drain()
    assert len(receiver.wait_for(1)) == 1


def test_disable_stops_sending_and_says_who(staff, event, seat_ids, receiver, endpoint):
    act(staff, "webhookendpoint_changelist", "disable_endpoints", endpoint.pk)

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "root" in endpoint.disabled_reason
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])
    drain()
    assert receiver.requests == []


def test_a_rotated_secret_signs_every_attempt_from_then_on(
    staff, event, seat_ids, receiver, endpoint
):
    old_secret = endpoint.secret
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])

    act(staff, "webhookendpoint_changelist", "rotate_secret", endpoint.pk)

    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    drain()
    (request,) = receiver.wait_for(1)
    checked(request, endpoint.secret)
    with pytest.raises(Exception, match="signature"):
        checked(request, old_secret)
