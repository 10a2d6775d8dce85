"""The per-process hub: one layer subscription, every local socket served."""

from __future__ import annotations

import threading

import pytest
from channels.layers import get_channel_layer

from realtime import consumers
from realtime.hub import event_group, get_hub
from seats import selectors, services
from tests.realtime.conftest import (
    Client,
    event_client,
    eventually,
    joined,
    local_sockets,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def test_many_sockets_make_one_layer_subscription(event, seat_ids):
    clients = [await event_client(event.id) for _ in range(5)]
    layer = get_channel_layer()
    members = layer.groups[event_group(event.id)]
    assert len(members) == 1, "one subscription per process, not one per socket"
    assert local_sockets(get_hub(), event_group(event.id)) == 5

    await clients[0][0].request({"type": "hold", "seat_ids": [seat_ids[0]]})
    for client, _ in clients:
        message = await client.recv_type("seats.changed")
        assert message["version"] == 1
    for client, _ in clients:
        await client.close()
    assert local_sockets(get_hub(), event_group(event.id)) == 0


class Recorder:
    def __init__(self, fail: bool = False):
        self.frames: list[str] = []
        self.fail = fail

    async def deliver(self, text: str) -> None:
        if self.fail:
            raise ConnectionError("socket went away")
        self.frames.append(text)


async def test_hub_hands_each_frame_to_every_subscriber_in_order():
    hub = get_hub()
    a, broken, b = Recorder(), Recorder(fail=True), Recorder()
    for subscriber in (a, broken, b):
        await hub.subscribe("event.99", subscriber)
    for i in range(3):
        await hub.dispatch({"group": "event.99", "text": f"frame {i}"})
    await hub.dispatch({"group": "event.98", "text": "another event"})
    # A subscriber that fails does not keep the frame from the others.
    assert a.frames == b.frames == ["frame 0", "frame 1", "frame 2"]
    for subscriber in (a, broken, b):
        hub.unsubscribe("event.99", subscriber)
    assert local_sockets(hub, "event.99") == 0


async def test_a_change_during_the_snapshot_read_follows_the_snapshot(
    event, seat_ids, monkeypatch
):
    """A change committed after the snapshot was read, but before it went out,
    reaches the socket right after the snapshot: it was subscribed first, and
    the broadcast waited in its backlog."""
    group = event_group(event.id)
    # Someone already watching: the process is in the event's group, so the
    # change reaches this process's hub whatever the new socket does.
    watcher, _ = await event_client(event.id)
    hub = get_hub()
    handed_out = threading.Event()
    hand_out = hub.dispatch

    async def hand_out_and_tell(message: dict) -> None:
        await hand_out(message)
        if message.get("group") == group:
            handed_out.set()

    monkeypatch.setattr(hub, "dispatch", hand_out_and_tell)
    read = selectors.seat_map
    reads = []

    def read_then_change(**kwargs):
        # Runs in the database thread while the consumer awaits it.
        seat_map = read(**kwargs)
        reads.append(seat_map.version)
        if len(reads) == 1:
            services.hold_seats(
                event_id=event.id, holder="h_rival", seat_ids=seat_ids[:1]
            )
            # The hub has handed the change to the local sockets; this
            # snapshot has not gone out yet.
            reads.append(handed_out.wait(timeout=5))
        return seat_map

    monkeypatch.setattr(selectors, "seat_map", read_then_change)
    client = Client(f"/ws/events/{event.id}/")
    connected, _ = await client.connect()
    assert connected

    snapshot = await client.recv()
    change = await client.recv()

    assert reads == [0, True]
    assert snapshot["type"] == "snapshot"
    assert snapshot["version"] == 0
    assert snapshot["seats"][0]["status"] == "available"
    assert change["type"] == "seats.changed"
    assert change["version"] == snapshot["version"] + 1
    assert [(s["id"], s["status"]) for s in change["seats"]] == [(seat_ids[0], "held")]
    assert await client.nothing()  # and only once
    assert (await watcher.recv())["version"] == change["version"]
    await client.close()
    await watcher.close()


async def test_a_backlog_that_overflows_before_the_snapshot_closes_4008(
    event, monkeypatch
):
    """Broadcasts wait for a socket whose snapshot is still being read, but only
    so many: past the limit the socket is closed, not buffered without end."""
    monkeypatch.setattr(consumers, "BACKLOG_LIMIT", 3)
    snapshot_may_go = threading.Event()
    read = selectors.seat_map

    def stalled_read(**kwargs):
        snapshot_may_go.wait(timeout=5)
        return read(**kwargs)

    monkeypatch.setattr(selectors, "seat_map", stalled_read)
    group = event_group(event.id)
    layer, hub = get_channel_layer(), get_hub()

    async def broadcast(n: int) -> None:
        text = f'{{"type": "seats.changed", "version": {n}}}'
        await layer.group_send(
            # Not an ordered change (the stream would fold these): the
            # backlog is what is tested, one frame each.
            group,
            {"type": "test.frame", "group": group, "text": text},
        )

    client = Client(f"/ws/events/{event.id}/")
    try:
        connected, _ = await client.connect()
        assert connected
        await eventually(lambda: local_sockets(hub, group) == 1 and joined(hub, group))
        for n in range(1, 4):  # exactly what the backlog holds
            await broadcast(n)
        assert await client.nothing()
        await broadcast(4)
        assert await client.closed_with() == consumers.CLOSE_TOO_SLOW == 4008
    finally:
        snapshot_may_go.set()
    await client.close()
