"""The staff socket: staff only, live activity and counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.utils import timezone

from seats import selectors, services
from tests.realtime.conftest import Client, event_client
from wire.frames import public_holder

pytestmark = pytest.mark.django_db(transaction=True)

HOUR = timedelta(hours=1)


@database_sync_to_async
def login_cookie(*, staff: bool) -> str:
    user = User.objects.create_user(
        "staff" if staff else "visitor", password="pw-123456", is_staff=staff
    )
    http = HttpClient()
    http.force_login(user)
    return f"sessionid={http.cookies['sessionid'].value}"


async def test_anonymous_is_refused(db):
    client = Client("/ws/dashboard/")
    connected, _ = await client.connect()
    assert connected
    assert await client.closed_with() == 4403


async def test_non_staff_is_refused():
    client = Client("/ws/dashboard/", cookie=await login_cookie(staff=False))
    await client.connect()
    assert await client.closed_with() == 4403


async def test_staff_sees_state_and_live_activity(event, seat_ids):
    staff = Client("/ws/dashboard/", cookie=await login_cookie(staff=True))
    connected, _ = await staff.connect()
    assert connected
    state = await staff.recv()
    assert state["type"] == "dashboard.state"
    assert state["events"][0]["id"] == event.id
    assert state["events"][0]["available"] == len(seat_ids)
    assert state["holds"] == []
    assert (await staff.recv())["changes"] == []

    buyer, snapshot = await event_client(event.id)
    await buyer.request({"type": "hold", "seat_ids": seat_ids[:2]})

    activity = await staff.recv_type("activity")
    assert activity["event"] == event.id
    assert activity["reason"] == "held"
    # Staff see the real holder id; the public snapshot only its public id.
    assert activity["holder"] != snapshot["you"]
    assert public_holder(event.id, activity["holder"]) == snapshot["you"]
    assert [s["label"] for s in activity["seats"]] == ["A1", "A2"]

    refreshed = await staff.recv_type("dashboard.state")
    assert refreshed["events"][0]["held"] == 2
    assert refreshed["holds"][0]["seats"] == ["A1", "A2"]
    assert refreshed["holds"][0]["holder"] == activity["holder"]
    await buyer.close()
    await staff.close()


async def test_staff_socket_rejects_seat_requests(event, seat_ids):
    staff = Client("/ws/dashboard/", cookie=await login_cookie(staff=True))
    await staff.connect()
    await staff.recv()
    await staff.recv_type("activity.history")
    await staff.send({"type": "hold", "seat_ids": [seat_ids[0]]})
    reply = await staff.recv()
    assert reply["code"] == "bad_request"
    await staff.send_raw("{nope")
    assert (await staff.recv())["code"] == "bad_request"
    await staff.close()


async def test_staff_socket_answers_snapshot_and_ping(event, seat_ids):
    await database_sync_to_async(services.hold_seats)(
        event_id=event.id, holder="h_alice", seat_ids=seat_ids[:2]
    )
    staff = Client("/ws/dashboard/", cookie=await login_cookie(staff=True))
    await staff.connect()
    first = await staff.recv()
    assert first["type"] == "dashboard.state" and "request_id" not in first
    await staff.recv_type("activity.history")

    await staff.send({"type": "snapshot", "request_id": "s-1"})
    state = await staff.recv()
    assert state["type"] == "dashboard.state"
    assert state["request_id"] == "s-1"
    assert state["events"][0]["held"] == 2
    assert state["holds"][0]["holder"] == "h_alice"

    await staff.send({"type": "ping", "request_id": 7})
    pong = await staff.recv()
    assert pong["type"] == "pong"
    assert pong["request_id"] == 7
    assert pong["server_time"].endswith("Z")
    await staff.close()


async def test_staff_socket_opens_with_the_last_hours_changes(event, seat_ids):
    hold = database_sync_to_async(services.hold_seats)
    now = timezone.now()
    await hold(
        event_id=event.id, holder="h_gone", seat_ids=seat_ids[:1], now=now - HOUR * 2
    )
    await hold(
        event_id=event.id, holder="h_alice", seat_ids=seat_ids[1:3], now=now - HOUR / 2
    )
    first = await database_sync_to_async(selectors.event_version)(event.id)
    staff = Client("/ws/dashboard/", cookie=await login_cookie(staff=True))
    await staff.connect()
    assert (await staff.recv())["type"] == "dashboard.state"

    history = await staff.recv()

    assert history["type"] == "activity.history"
    assert [(c["holder"], c["reason"]) for c in history["changes"]] == [
        ("h_alice", "held")
    ]
    assert [s["label"] for s in history["changes"][0]["seats"]] == ["A2", "A3"]
    assert history["changes"][0]["version"] == first
    # Live from here on: the next change is the next version, not a repeat.
    await hold(event_id=event.id, holder="h_bob", seat_ids=seat_ids[3:4])
    live = await staff.recv_type("activity")
    assert live["version"] == first + 1
    assert live["holder"] == "h_bob"
    await staff.close()


async def test_non_staff_get_no_history(event, seat_ids):
    await database_sync_to_async(services.hold_seats)(
        event_id=event.id, holder="h_alice", seat_ids=seat_ids[:1]
    )
    client = Client("/ws/dashboard/", cookie=await login_cookie(staff=False))
    await client.connect()
    # Closed before any frame: nothing of the log leaks.
    assert await client.closed_with() == 4403
