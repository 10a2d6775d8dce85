"""The per-process hub: one layer subscription, every local socket served."""

from __future__ import annotations

import pytest
from channels.layers import get_channel_layer

from realtime.hub import event_group, get_hub
from tests.realtime.conftest import Client, event_client

pytestmark = pytest.mark.django_db(transaction=True)


async def test_many_sockets_make_one_layer_subscription(event, seat_ids):
    clients = [await event_client(event.id) for _ in range(5)]
    layer = get_channel_layer()
    members = layer.groups[event_group(event.id)]
    assert len(members) == 1, "one subscription per process, not one per socket"
    assert get_hub().local_count(event_group(event.id)) == 5

    await clients[0][0].request({"type": "hold", "seat_ids": [seat_ids[0]]})
    for client, _ in clients:
        message = await client.recv_type("seats.changed")
        assert message["version"] == 1
    for client, _ in clients:
        await client.close()
    assert get_hub().local_count(event_group(event.id)) == 0


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
    assert hub.local_count("event.99") == 0


async def test_a_change_during_the_snapshot_read_follows_the_snapshot(event, seat_ids):
    """Subscribed before the snapshot is read: the change arrives after it."""
    watcher, _ = await event_client(event.id)
    client = Client(f"/ws/events/{event.id}/")
    connected, _ = await client.connect()
    assert connected
    await watcher.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    first = await client.recv()
    assert first["type"] == "snapshot"
    if first["seats"][0]["status"] == "available":
        # The snapshot was read before the hold: the change must follow it.
        change = await client.recv_type("seats.changed")
        assert change["version"] == first["version"] + 1
    await client.close()
    await watcher.close()
