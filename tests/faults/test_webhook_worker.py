"""`deliver_webhooks` as a real process on PostgreSQL, under faults: killed
while a receiver holds its request, and cut off from the database.

The receiver is a real HTTP server in this process; every body it gets is
verified with the endpoint's secret and validated against the schema. The
workers are stopped by PID (SIGKILL for the fault, SIGTERM at the end).
"""

from __future__ import annotations

import re
import signal
import time

import psycopg
import pytest

from devtools.processes import Project
from tests.webhooks.receiver import Receiver, Reply, checked

# Attempts time out after this; a lease lasts 5 s longer, so a killed
# worker's endpoint is free again within about 8 s.
TIMEOUT_SECONDS = 3

SETUP = """
from seats import services
from seats.models import Seat
from plans.venues import create_venue
from seats.outbox.models import WebhookEndpoint

endpoint = WebhookEndpoint.objects.create(url={url!r})
event = create_venue(
    name="Webhooks", rows=1, seats_per_row=6, premium_rows=0, avoid_single_seats=False
)
print("secret", endpoint.secret)
print("event", event.id)
"""

HOLD = """
from seats import services
from seats.models import Seat

seat = Seat.objects.filter(event_id={event}).order_by("pk")[{index}]
services.hold_seats(event_id={event}, holder={holder!r}, seat_ids=[seat.id])
"""


def sql(database, query: str, params=()) -> list[tuple]:
    with psycopg.connect(database.url, autocommit=True, connect_timeout=5) as conn:
        return conn.execute(query, params).fetchall()


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def deliveries(database) -> list[tuple]:
    """(message_id, status, attempts) of every delivery, in id order."""
    return sql(
        database,
        "SELECT message_id, status, attempts FROM seats_webhookdelivery ORDER BY id",
    )


@pytest.fixture
def receiver():
    receiver = Receiver()
    try:
        yield receiver
    finally:
        receiver.close()


@pytest.fixture
def project(tmp_path, database):
    """The project on our own PostgreSQL database (no Redis: none is needed)."""
    project = Project(
        tmp_path,
        DATABASE_URL=database.url,
        DATABASE_POOL_SIZE="3",
        SEAT_WEBHOOK_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS),
        SEAT_WEBHOOK_POLL_SECONDS="0.2",
        SEAT_WEBHOOK_RETRY_BASE_SECONDS="0.2",
        SEAT_WEBHOOK_RETRY_MAX_SECONDS="1",
        # The receiver listens on plain http on loopback.
        SEAT_WEBHOOK_ALLOW_HTTP="1",
        SEAT_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
    )
    project.migrate()
    try:
        yield project
    finally:
        project.stop_all()


def set_up(project: Project, receiver: Receiver, holders: list[str]) -> tuple[str, int]:
    """An endpoint on `receiver`, an event, one hold per holder; (secret, event)."""
    out = project.manage("shell", "-c", SETUP.format(url=receiver.url("/hook")))
    secret = re.search(r"^secret (\S+)$", out, re.M)
    event = re.search(r"^event (\d+)$", out, re.M)
    assert secret and event, out
    for index, holder in enumerate(holders):
        hold(project, int(event.group(1)), index, holder)
    return secret.group(1), int(event.group(1))


def hold(project: Project, event: int, index: int, holder: str) -> None:
    project.manage("shell", "-c", HOLD.format(event=event, index=index, holder=holder))


def test_a_worker_killed_mid_request_loses_nothing_the_next_sends_it_again(
    project, database, receiver
):
    receiver.respond(Reply(204, stall=True))
    secret, _ = set_up(project, receiver, ["alice", "bob"])
    (first_id, _, _), (second_id, _, _) = deliveries(database)

    killed = project.spawn("deliveries-1", "deliver_webhooks")
    (stalled,) = receiver.wait_for(1, timeout=20)
    assert stalled.id == first_id
    killed.send_signal(signal.SIGKILL)  # while it waits for the answer
    assert killed.wait(timeout=10) == -signal.SIGKILL
    # Killed between its request and the outcome: nothing written, the
    # endpoint still leased to the dead worker.
    assert deliveries(database) == [
        (first_id, "pending", 0),
        (second_id, "pending", 0),
    ]
    receiver.release()

    project.spawn("deliveries-2", "deliver_webhooks")
    requests = receiver.wait_for(3, timeout=25)

    assert [r.id for r in requests] == [first_id, first_id, second_id]
    assert requests[0].body == requests[1].body
    holders = [checked(r, secret)["data"]["holder"] for r in requests]
    assert holders == ["alice", "alice", "bob"]
    wait_until(
        lambda: {status for _, status, _ in deliveries(database)} == {"delivered"},
        10,
        f"not all delivered: {deliveries(database)}",
    )
    assert deliveries(database) == [
        (first_id, "delivered", 1),
        (second_id, "delivered", 1),
    ]
    assert "Webhook delivery running" in project.log("deliveries-2")


def test_a_worker_cut_off_from_the_database_carries_on(project, database, receiver):
    secret, event = set_up(project, receiver, ["alice"])
    worker = project.spawn("deliveries", "deliver_webhooks")
    receiver.wait_for(1, timeout=20)
    # Idle again (the outcome written), so the cut hits its polling.
    wait_until(
        lambda: [status for _, status, _ in deliveries(database)] == ["delivered"],
        10,
        f"the first message was not recorded: {deliveries(database)}",
    )

    (terminated,) = sql(
        database,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        [database.name],
    )[0]
    assert terminated >= 1  # the worker's pooled connection(s)
    # It meets the cut either mid-query (a database error, then backing
    # off) or as it takes a pooled connection (replaced before use).
    wait_until(
        lambda: any(
            sign in project.log("deliveries")
            for sign in ("database error", "replacing a pooled database connection")
        ),
        15,
        "the worker never felt the terminated connection",
    )

    hold(project, event, 1, "bob")
    requests = receiver.wait_for(2, timeout=20)

    assert [checked(r, secret)["data"]["holder"] for r in requests] == [
        "alice",
        "bob",
    ]
    wait_until(
        lambda: {status for _, status, _ in deliveries(database)} == {"delivered"},
        10,
        f"not all delivered: {deliveries(database)}",
    )
    assert worker.poll() is None
    log = project.log("deliveries")
    assert "Traceback" not in log, log
