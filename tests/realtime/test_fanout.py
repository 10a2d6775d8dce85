"""The per-process hub and the per-socket outbox."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer

from realtime.hub import event_group, get_hub
from realtime.outbox import Outbox
from tests.realtime.conftest import event_client

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


async def test_outbox_holds_frames_until_started_and_keeps_order():
    sent = []

    async def send(text):
        sent.append(text)

    async def overflow():
        raise AssertionError("must not overflow")

    outbox = Outbox(send, overflow, limit=10)
    for i in range(3):
        outbox.put(str(i))
    await asyncio.sleep(0)
    assert sent == []
    outbox.start()
    await asyncio.sleep(0.01)
    assert sent == ["0", "1", "2"]
    await outbox.stop()


async def test_outbox_overflow_disconnects_instead_of_growing():
    overflowed = asyncio.Event()

    async def never(text):
        await asyncio.Event().wait()

    async def overflow():
        overflowed.set()

    outbox = Outbox(never, overflow, limit=3)
    outbox.start()
    for i in range(10):
        outbox.put(str(i))
    await asyncio.wait_for(overflowed.wait(), 1)
    assert outbox._queue.qsize() <= 3
    await outbox.stop()
