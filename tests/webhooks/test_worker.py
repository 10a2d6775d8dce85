"""The delivery loop in its own thread: woken by commits, one thread per
endpoint, surviving database errors, stopping when asked."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import pytest
from django.db import OperationalError

from seats import services
from seats.outbox.models import WebhookDelivery
from tests.webhooks.receiver import WAIT_SECONDS, Reply
from webhooks import delivery
from webhooks.delivery import DeliveryWorker

pytestmark = pytest.mark.django_db(transaction=True)

Status = WebhookDelivery.Status


@pytest.fixture
def worker() -> Iterator[DeliveryWorker]:
    running = DeliveryWorker()
    yield running
    running.stop(timeout=10)
    assert running._thread is None or not running._thread.is_alive()


def all_delivered() -> bool:
    return not WebhookDelivery.objects.exclude(status=Status.DELIVERED).exists()


def settle(until: Callable[[], bool]) -> None:
    """Wait (the worker does the work) until `until()` holds."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not until():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.01)


def test_a_commit_wakes_the_worker_long_before_its_poll(
    event, seat_ids, receiver, endpoint, worker, settings
):
    settings.SEAT_WEBHOOK_POLL_SECONDS = 60.0
    worker.start()

    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])

    (request,) = receiver.wait_for(1, timeout=10)
    assert request.json["type"] == "seats.held"
    settle(all_delivered)


def test_a_slow_endpoint_does_not_hold_up_the_others(
    event, seat_ids, make_receiver, make_endpoint, worker, settings
):
    settings.SEAT_WEBHOOK_TIMEOUT_SECONDS = 10.0  # the stall is no timeout
    slow, quick = make_receiver(), make_receiver()
    make_endpoint(slow)
    make_endpoint(quick)
    slow.respond(Reply(204, stall=True))
    worker.start()

    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])
    services.hold_seats(event_id=event.id, holder="bob", seat_ids=seat_ids[1:2])

    assert len(quick.wait_for(2)) == 2
    (stalled,) = slow.wait_for(1)
    assert stalled.json["data"]["holder"] == "alice"
    slow.release()
    assert [r.json["data"]["holder"] for r in slow.wait_for(2)] == ["alice", "bob"]
    settle(all_delivered)


def test_database_errors_cost_a_log_line_not_the_worker(
    event, seat_ids, receiver, endpoint, worker, monkeypatch, caplog
):
    monkeypatch.setattr(delivery, "ERROR_BACKOFF_SECONDS", (0.01, 0.05))
    real_find_due = delivery.find_due
    failures = iter([True, True, True])

    def flaky_find_due(now):
        if next(failures, False):
            raise OperationalError("server closed the connection unexpectedly")
        return real_find_due(now)

    monkeypatch.setattr(delivery, "find_due", flaky_find_due)
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:1])

    with caplog.at_level(logging.WARNING, logger="webhooks.delivery"):
        worker.start()
        (request,) = receiver.wait_for(1)
        settle(all_delivered)

    assert request.json["type"] == "seats.held"
    errors = [r for r in caplog.records if "database error" in r.getMessage()]
    assert len(errors) == 3
    assert all("\n" not in r.getMessage() and not r.exc_info for r in errors)
    assert worker._thread is not None and worker._thread.is_alive()


def test_stop_ends_the_loop(worker):
    worker.start()
    worker.stop(timeout=10)
    assert worker._thread is not None and not worker._thread.is_alive()
