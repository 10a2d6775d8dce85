"""Rate limits: per socket requests, per address new sockets; loopback exempt."""

from __future__ import annotations

import pytest

from realtime import limits
from realtime.limits import AddressLimiter, TokenBucket
from tests.contracts.asyncapi import server_frame
from tests.realtime.conftest import Client

pytestmark = pytest.mark.django_db(transaction=True)

REMOTE = "203.0.113.5"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_gives_its_burst_then_one_token_per_interval():
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.take() for _ in range(3)] == [0, 0, 0]
    assert bucket.take() == pytest.approx(0.5)
    clock.now += 0.25
    assert bucket.take() == pytest.approx(0.25)
    clock.now += 0.25
    assert bucket.take() == 0
    clock.now += 100  # refills only up to the burst
    assert [bucket.take() for _ in range(4)][-1] > 0


@pytest.fixture
def tight(settings, monkeypatch):
    settings.SEAT_REQUESTS_PER_SECOND = 0.5
    settings.SEAT_REQUEST_BURST = 3
    settings.SEAT_CONNECTIONS_PER_MINUTE = 1
    settings.SEAT_CONNECTION_BURST = 2
    settings.SEAT_LIMIT_LOOPBACK = False
    monkeypatch.setattr(limits, "connections", AddressLimiter())
    return settings


async def connect_from(address: str, event) -> tuple[Client, dict | int]:
    client = Client(f"/ws/events/{event.id}/")
    client.ws.scope["client"] = (address, 40000)
    connected, _ = await client.connect()
    assert connected
    first = await client.ws.receive_output(timeout=2)
    if first["type"] == "websocket.close":
        return client, first["code"]
    return client, server_frame(first["text"])


async def test_a_flooding_socket_is_told_when_to_retry(event, tight):
    client, snapshot = await connect_from(REMOTE, event)
    assert snapshot["type"] == "snapshot"
    replies = [
        await client.request({"type": "ping", "request_id": i}) for i in range(5)
    ]
    assert [r["type"] for r in replies] == ["pong"] * 3 + ["error"] * 2
    limited = replies[3]
    assert (limited["code"], limited["request_id"]) == ("rate_limited", 3)
    assert 0 < limited["retry_after"] <= 2
    await client.close()


async def test_loopback_sockets_are_exempt_by_default(event, tight):
    client, _ = await connect_from("127.0.0.1", event)
    replies = [await client.request({"type": "ping"}) for _ in range(8)]
    assert {r["type"] for r in replies} == {"pong"}
    await client.close()


async def test_too_many_new_sockets_from_one_address_are_closed_with_4429(event, tight):
    opened = [await connect_from(REMOTE, event) for _ in range(3)]
    outcomes = [
        first if isinstance(first, int) else first["type"] for _, first in opened
    ]
    assert outcomes == ["snapshot", "snapshot", 4429]
    # Another address is not held back by the first one's sockets.
    other, snapshot = await connect_from("198.51.100.7", event)
    assert snapshot["type"] == "snapshot"
    for client, first in [*opened, (other, snapshot)]:
        if not isinstance(first, int):
            await client.close()
