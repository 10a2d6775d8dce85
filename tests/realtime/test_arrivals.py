"""Sockets arriving together share database trips (realtime.arrivals), and
each still gets its own holder and its own part of the snapshot."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from realtime import arrivals
from seats import services
from seats.holders import is_connection_holder
from seats.models import Event, PriceCategory, Seat
from tests.realtime.conftest import Client, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

ARRIVING = 30


@pytest.fixture
def trips(monkeypatch) -> list[int]:
    """The size of each trip to the database, as arrivals make them."""
    sizes: list[int] = []
    real = arrivals._trip

    async def counted(event_id, live, scopes):
        sizes.append(len(scopes))
        return await real(event_id, live, scopes)

    monkeypatch.setattr(arrivals, "_trip", counted)
    return sizes


# Thirty snapshots at once from one database thread, under coverage on a
# busy machine: the last took longer than the communicator's 1 and 2 s.
ARRIVAL_SECONDS = 15


async def first_frame(path: str, cookie: str | None = None) -> tuple[Client, dict]:
    client = Client(path, cookie=cookie)
    connected, _ = await client.ws.connect(timeout=ARRIVAL_SECONDS)
    assert connected
    return client, await client.recv(timeout=ARRIVAL_SECONDS)


@pytest.mark.parametrize("live", [True, False])
async def test_sockets_arriving_at_once_share_trips_and_each_gets_its_own_part(
    event, seat_ids, hold_settings, trips, live
):
    # Browsers with sessions of their own (a closing connection holder would
    # release on the way out, which is not what this is about).
    sessions = [await session_cookie() for _ in range(ARRIVING)]
    cookie, holder = sessions[7]
    await database_sync_to_async(services.hold_seats)(
        event_id=event.id, holder=holder, seat_ids=seat_ids[:2]
    )
    path = f"/ws/events/{event.id}/" + ("?snapshot=live" if live else "")
    opened = await asyncio.gather(*(first_frame(path, c) for c, _ in sessions))
    frames = [frame for _, frame in opened]
    assert {f["type"] for f in frames} == {"snapshot.live" if live else "snapshot"}
    assert {f["version"] for f in frames} == {1}
    # Fewer trips than sockets, every socket in exactly one of them.
    assert sum(trips) == ARRIVING and len(trips) < ARRIVING, trips
    # Each viewer is its own session's holder; only one of them holds.
    you = [f["you"] for f in frames]
    assert len(set(you)) == ARRIVING
    if live:
        (group,) = frames[7]["held"]
        assert (group["holder"], group["seat_ids"]) == (you[7], seat_ids[:2])
        assert frames[7]["hold"]["seat_ids"] == seat_ids[:2]
        assert all(f["hold"] is None for i, f in enumerate(frames) if i != 7)
    else:
        mine = [s for s in frames[7]["seats"] if s["id"] in seat_ids[:2]]
        assert [s["holder"] for s in mine] == [you[7]] * 2
    for client, _ in opened:
        await client.close()


async def test_connections_without_a_session_each_get_a_fresh_holder(event, trips):
    scope = {"type": "websocket"}
    answers = await asyncio.gather(
        *(arrivals.arrive(scope, event.id, True) for _ in range(ARRIVING))
    )
    holders = [holder for holder, _, _ in answers]
    assert len(set(holders)) == ARRIVING
    assert all(is_connection_holder(h) for h in holders)
    assert all(not unlocked for _, unlocked, _ in answers)
    assert all('"hold":null' in text for _, _, text in answers)
    assert sum(trips) == ARRIVING and len(trips) < ARRIVING, trips


async def test_a_failed_trip_fails_only_its_arrivals_and_the_next_one_works(
    event, trips, monkeypatch
):
    real = arrivals._trip
    failing = [True]

    async def flaky(event_id, live, scopes):
        if failing.pop(0) if failing else False:
            raise RuntimeError("database away")
        return await real(event_id, live, scopes)

    monkeypatch.setattr(arrivals, "_trip", flaky)
    loop = asyncio.get_running_loop()
    scope = {"type": "websocket"}
    first = loop.create_task(arrivals.arrive(scope, event.id, True))
    with pytest.raises(RuntimeError, match="database away"):
        await first
    holder, _, text = await arrivals.arrive(scope, event.id, True)
    assert holder.startswith("c_") and '"snapshot.live"' in text
    assert arrivals._queues == {}, "nothing left queued"


async def test_an_arrival_given_up_does_not_hold_up_the_others(event):
    loop = asyncio.get_running_loop()
    scope = {"type": "websocket"}
    gone = loop.create_task(arrivals.arrive(scope, event.id, True))
    staying = loop.create_task(arrivals.arrive(scope, event.id, True))
    await asyncio.sleep(0)
    gone.cancel()
    holder, _, _ = await staying
    assert holder.startswith("c_") and gone.cancelled()


def delete_event(event_id: int) -> None:
    Seat.objects.filter(event_id=event_id).delete()
    PriceCategory.objects.filter(event_id=event_id).delete()
    Event.objects.filter(pk=event_id).delete()


async def test_arrivals_at_an_event_deleted_meanwhile_are_closed_as_unknown(event):
    client = Client(f"/ws/events/{event.id}/?snapshot=live")
    assert (await client.connect())[0]
    await client.recv()
    await client.close()
    # Known to exist in this process now; deleted behind its back.
    await database_sync_to_async(delete_event)(event.id)
    late = Client(f"/ws/events/{event.id}/?snapshot=live")
    assert (await late.connect())[0]
    assert await late.closed_with() == 4404
