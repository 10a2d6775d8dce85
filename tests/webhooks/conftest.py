"""Fixtures for the webhook tests: receivers, endpoints, quick settings.

Every request a receiver got is checked when the test ends: its signature
verifies with its endpoint's secret, and its body matches the schema.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from seats.outbox import writer as outbox
from seats.outbox.models import WebhookDelivery, WebhookEndpoint
from tests.webhooks.receiver import WAIT_SECONDS, Receiver, checked
from webhooks import delivery


@pytest.fixture(autouse=True)
def quick_webhooks(settings):
    """Small timeouts and backoffs, so retries take milliseconds; local receivers."""
    settings.SEAT_WEBHOOK_TIMEOUT_SECONDS = 2.0
    settings.SEAT_WEBHOOK_RETRY_BASE_SECONDS = 0.02
    settings.SEAT_WEBHOOK_RETRY_MAX_SECONDS = 0.1
    settings.SEAT_WEBHOOK_RETRY_FOR_SECONDS = 3600.0
    settings.SEAT_WEBHOOK_DISABLE_AFTER_SECONDS = 3600.0
    settings.SEAT_WEBHOOK_POLL_SECONDS = 0.05
    # The receivers listen on plain http on loopback, which webhooks are
    # only sent to when the operator allows it (test_destinations.py).
    settings.SEAT_WEBHOOK_ALLOW_HTTP = True
    settings.SEAT_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    outbox.written.clear()
    yield settings
    outbox.written.clear()


@pytest.fixture
def make_receiver() -> Iterator[Callable[[], Receiver]]:
    receivers: list[Receiver] = []

    def make() -> Receiver:
        receivers.append(Receiver())
        return receivers[-1]

    yield make
    for receiver in receivers:
        receiver.close()


@pytest.fixture
def receiver(make_receiver) -> Receiver:
    return make_receiver()


@pytest.fixture
def make_endpoint(db) -> Iterator[Callable[..., WebhookEndpoint]]:
    """Endpoints on receivers; at teardown every request they got is checked."""
    made: list[tuple[WebhookEndpoint, Receiver]] = []

    def make(
        receiver: Receiver, *, event_types: list[str] | None = None, path: str = ""
    ) -> WebhookEndpoint:
        endpoint = WebhookEndpoint.objects.create(
            url=receiver.url(path or f"/hook/{len(made) + 1}"),
            event_types=event_types or [],
        )
        made.append((endpoint, receiver))
        return endpoint

    yield make
    for endpoint, receiver in made:
        path = endpoint.url.removeprefix(f"http://127.0.0.1:{receiver.port}")
        # Whatever secret it has now (a test may have rotated it).
        secret = WebhookEndpoint.objects.get(pk=endpoint.pk).secret
        for request in receiver.requests:
            if request.path == path:
                checked(request, secret)


@pytest.fixture
def endpoint(make_endpoint, receiver) -> WebhookEndpoint:
    return make_endpoint(receiver)


def drain(until: Callable[[], bool] | None = None, timeout: float = WAIT_SECONDS):
    """Run the worker's passes in this thread until `until()` (by default:
    nothing pending) holds."""
    done = until or (
        lambda: not WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, endpoint__enabled=True
        ).exists()
    )
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the deliveries did not settle in time"
        delivery.deliver_due()
        time.sleep(0.005)
