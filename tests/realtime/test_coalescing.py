"""Coalesced broadcasts: changes of one event within the window, one frame.

With SEAT_BROADCAST_WINDOW_SECONDS > 0 the hub holds an event's
seats.changed for the window and sends what came as one frame per unbroken
run of versions; the staff feed keeps every change.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from seats import services
from tests.contracts.asyncapi import check_server_frame
from tests.realtime.conftest import Client, event_client
from tests.realtime.test_dashboard import login_cookie
from wire import frames

pytestmark = pytest.mark.django_db(transaction=True)


def change(version: int, seats: list[dict], reason: str = "held") -> dict:
    return {
        "type": "seats.changed",
        "event": 1,
        "version": version,
        "reason": reason,
        "seats": seats,
    }


def state(seat_id: int, status: str) -> dict:
    holder = "h_AbCdEfGhIjKl" if status == "held" else None
    until = "2026-01-01T12:05:00.000Z" if status == "held" else None
    return {"id": seat_id, "status": status, "holder": holder, "held_until": until}


def test_a_run_of_versions_folds_into_one_frame_each_seat_in_its_latest_state():
    (frame,) = frames.coalesced(
        [
            change(7, [state(1, "held"), state(2, "held")]),
            change(8, [state(1, "available")], "released"),
            change(9, [state(3, "booked")], "booked"),
        ]
    )
    check_server_frame(frame)
    assert (frame["from_version"], frame["version"]) == (7, 9)
    assert frame["reason"] == "booked"
    assert frame["reasons"] == ["held", "released", "booked"]
    assert {s["id"]: s["status"] for s in frame["seats"]} == {
        1: "available",
        2: "held",
        3: "booked",
    }


def test_a_gap_splits_the_runs_and_a_lone_change_stays_as_it_was():
    lone = change(12, [state(4, "held")])
    out = frames.coalesced(
        [change(10, [state(1, "held")]), lone, change(11, [state(2, "held")])][::-1]
        + [change(14, [state(5, "held")])]
    )
    assert [(f.get("from_version"), f["version"]) for f in out] == [
        (10, 12),
        (None, 14),
    ]
    assert frames.coalesced([lone]) == [lone]
    # A version that came twice counts once.
    assert len(frames.coalesced([lone, lone])) == 1


async def test_changes_within_the_window_reach_a_socket_as_one_frame(
    event, seat_ids, settings
):
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0.3
    client, snapshot = await event_client(event.id)
    hold = database_sync_to_async(services.hold_seats)
    for index, holder in enumerate(("alice", "bob", "carol")):
        await hold(event_id=event.id, holder=holder, seat_ids=[seat_ids[index]])
    # The first change to a quiet event goes at once and opens the window;
    # the two within it follow as one frame when it ends.
    leading = await client.recv_type("seats.changed")
    assert leading["version"] == snapshot["version"] + 1
    assert "from_version" not in leading
    frame = await client.recv_type("seats.changed")
    assert (frame["from_version"], frame["version"]) == (
        snapshot["version"] + 2,
        snapshot["version"] + 3,
    )
    assert sorted(s["id"] for s in frame["seats"]) == seat_ids[1:3]
    assert await client.nothing(0.5)
    await client.close()


async def test_without_a_window_every_change_is_its_own_frame(
    event, seat_ids, settings
):
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0
    client, snapshot = await event_client(event.id)
    hold = database_sync_to_async(services.hold_seats)
    for index, holder in enumerate(("alice", "bob")):
        await hold(event_id=event.id, holder=holder, seat_ids=[seat_ids[index]])
    first = await client.recv_type("seats.changed")
    second = await client.recv_type("seats.changed")
    assert [first["version"], second["version"]] == [
        snapshot["version"] + 1,
        snapshot["version"] + 2,
    ]
    assert "from_version" not in first and "from_version" not in second
    await client.close()


async def test_a_quiet_event_gets_each_change_at_once_and_the_staff_every_change(
    event, seat_ids, settings
):
    # A window far longer than the waits below: a change held for it would
    # miss them.
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 4.0
    client, snapshot = await event_client(event.id)
    staff = Client("/ws/dashboard/", cookie=await login_cookie(staff=True))
    assert (await staff.connect())[0]
    assert (await staff.recv())["type"] == "dashboard.state"
    assert (await staff.recv())["type"] == "activity.history"
    hold = database_sync_to_async(services.hold_seats)
    await hold(event_id=event.id, holder="alice", seat_ids=[seat_ids[0]])
    leading = await client.recv_type("seats.changed", timeout=2)
    assert leading["version"] == snapshot["version"] + 1
    for index, holder in enumerate(("bob", "carol"), start=1):
        await hold(event_id=event.id, holder=holder, seat_ids=[seat_ids[index]])
    # Within the window: nothing yet for the map, every change for the staff.
    assert await client.nothing(1.0)
    kinds = [(await staff.recv_type("activity", timeout=2))["version"] for _ in "abc"]
    assert kinds == [snapshot["version"] + n for n in (1, 2, 3)]
    folded = await client.recv_type("seats.changed", timeout=6)
    assert (folded["from_version"], folded["version"]) == (
        snapshot["version"] + 2,
        snapshot["version"] + 3,
    )
    await client.close()
    await staff.close()
