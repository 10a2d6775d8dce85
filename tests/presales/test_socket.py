"""The seat map's socket takes the unlocked channels from the session, never
from the client: a session that entered the code holds a kept seat, any
other socket is refused, whatever it sends."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.backends.db import SessionStore

from seats.holders import unlock_in_session
from seats.models import Seat
from tests.conftest import ids_of
from tests.realtime.conftest import Client, event_client, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def unlock(session_key: str, event_id: int, channel_id: int) -> None:
    session = SessionStore(session_key=session_key)
    unlock_in_session(session, event_id, channel_id)
    session.save()


async def unlocked_session(event_id: int, channel_id: int) -> str:
    cookie, _ = await session_cookie()
    await unlock(cookie.split("=", 1)[1], event_id, channel_id)
    return cookie


@database_sync_to_async
def holder_of(seat_id: int) -> str:
    return Seat.objects.get(pk=seat_id).holder


async def test_only_a_session_that_unlocked_the_channel_holds_its_seats(event, presale):
    a5 = await database_sync_to_async(ids_of)(event, "A5")
    cookie = await unlocked_session(event.id, presale.pk)
    member, snapshot = await event_client(event.id, cookie=cookie)
    assert snapshot["channels_unlocked"] == [presale.pk]
    assert snapshot["channels"] == [
        {"id": presale.pk, "name": "Members presale", "releases_at": None}
    ]
    assert {s["label"]: s["channel"] for s in snapshot["seats"]}["A5"] == presale.pk

    other, other_snapshot = await event_client(event.id)
    assert other_snapshot["channels_unlocked"] == []
    # A client field naming the channel changes nothing: the server decides.
    refused = await other.request(
        {"type": "hold", "seat_ids": a5, "channels_unlocked": [presale.pk]}
    )
    assert (refused["type"], refused["code"]) == ("error", "seats_unavailable")
    assert "not on sale" in refused["message"]
    refused = await other.request({"type": "hold_best", "count": 5})
    assert refused["type"] == "hold.ok"
    assert not set(refused["seat_ids"]) & set(
        await database_sync_to_async(ids_of)(event, "A1", "A2", "A3", "A4", "A5")
    )

    held = await member.request({"type": "hold", "seat_ids": a5})
    assert held["type"] == "hold.ok", held
    assert await holder_of(a5[0]) != ""
    await member.close()
    await other.close()


async def test_the_live_snapshot_says_what_the_session_unlocked(event, presale):
    cookie = await unlocked_session(event.id, presale.pk)
    client = Client(f"/ws/events/{event.id}/?snapshot=live", cookie=cookie)
    connected, _ = await client.connect()
    assert connected
    live = await client.recv()
    assert live["type"] == "snapshot.live"
    assert live["channels_unlocked"] == [presale.pk]
    await client.close()
