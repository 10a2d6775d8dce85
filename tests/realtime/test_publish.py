"""Announcements are not lost: local sockets first, retries for the rest."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer

from realtime import broadcasting
from tests.realtime.conftest import event_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(broadcasting, "RETRY_SECONDS", (0.01, 0.01, 0.01))


def failing(times: int | None):
    """A group_send that fails `times` times (None: always), then works."""
    layer = get_channel_layer()
    real = layer.group_send
    calls: list[str] = []

    async def group_send(group, message):
        calls.append(group)
        if times is None or len(calls) <= times:
            raise ConnectionError("Redis went away")
        await real(group, message)

    layer.group_send = group_send
    return calls


async def test_local_sockets_hear_a_change_while_the_layer_is_down(
    event, seat_ids, quick_retries
):
    buyer, _ = await event_client(event.id)
    watcher, _ = await event_client(event.id)
    calls = failing(times=None)
    reply = await buyer.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    assert reply["type"] == "hold.ok"
    change = await watcher.recv_type("seats.changed")
    assert change["version"] == 1
    await asyncio.sleep(0.2)
    assert len(calls) >= 4  # the first send and every retry, all failing
    await buyer.close()
    await watcher.close()


async def test_a_failed_publish_is_retried(event, seat_ids, quick_retries):
    layer = get_channel_layer()
    sent: list[dict] = []
    calls = failing(times=2)
    real = layer.group_send

    async def record(group, message):
        await real(group, message)
        if group.startswith("event."):
            sent.append(message)

    layer.group_send = record
    ok = await broadcasting.send_with_retry(
        layer, f"event.{event.id}", {"type": "seats.changed", "text": "{}"}
    )
    assert ok
    assert len(calls) == 3 and len(sent) == 1


async def test_a_publish_that_keeps_failing_is_given_up(event, quick_retries):
    layer = get_channel_layer()
    calls = failing(times=None)
    ok = await broadcasting.send_with_retry(layer, "event.1", {"type": "x"})
    assert not ok
    assert len(calls) == 1 + len(broadcasting.RETRY_SECONDS)


async def test_the_hub_skips_its_own_messages_coming_back(event, seat_ids):
    """Local sockets get each change once, not once more from the layer."""
    buyer, _ = await event_client(event.id)
    watcher, _ = await event_client(event.id)
    await buyer.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    assert (await watcher.recv_type("seats.changed"))["version"] == 1
    assert await watcher.nothing(timeout=0.5)
    await buyer.close()
    await watcher.close()
