"""Heartbeats and pongs tell every socket its event's current version."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from realtime.heartbeat import beat
from realtime.hub import get_hub
from seats import services
from seats.signals import seats_changed
from tests.realtime.conftest import event_client

pytestmark = pytest.mark.django_db(transaction=True)


async def test_pong_carries_the_event_and_its_version(event, seat_ids):
    client, snapshot = await event_client(event.id)
    await client.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    pong = await client.request({"type": "ping", "request_id": 7})
    assert (pong["type"], pong["event"], pong["version"], pong["request_id"]) == (
        "pong",
        event.id,
        snapshot["version"] + 1,
        7,
    )
    await client.close()


async def test_heartbeats_arrive_by_themselves(event, settings):
    settings.SEAT_HEARTBEAT_SECONDS = 0.2
    client, snapshot = await event_client(event.id)
    heartbeat = await client.recv_type("heartbeat", timeout=3)
    assert (heartbeat["event"], heartbeat["version"]) == (event.id, snapshot["version"])
    assert heartbeat["server_time"].endswith("Z")
    await client.close()


async def test_a_change_that_was_never_announced_shows_in_the_next_heartbeat(
    event, seat_ids
):
    """A lost broadcast (a Redis blip, a sweeper killed before announcing):
    the client learns from the heartbeat that it is behind."""
    client, snapshot = await event_client(event.id)
    receivers = seats_changed.receivers[:]
    seats_changed.receivers.clear()  # committed, but nobody is told
    try:
        await database_sync_to_async(services.hold_seats)(
            event_id=event.id, holder="someone", seat_ids=[seat_ids[0]]
        )
    finally:
        seats_changed.receivers[:] = receivers
        seats_changed.sender_receivers_cache.clear()
    assert await client.nothing(timeout=0.5)

    assert await beat(get_hub()) == 1
    heartbeat = await client.recv()
    assert heartbeat["type"] == "heartbeat"
    assert heartbeat["version"] == snapshot["version"] + 1
    await client.close()


async def test_no_sockets_no_heartbeat_query(db):
    assert await beat(get_hub()) == 0
