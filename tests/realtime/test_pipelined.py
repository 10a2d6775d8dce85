"""The serving loop's Redis publishes (realtime.pipelined), against a real
Redis: many messages per round trip, in the order queued, retried, and
given up on loudly when Redis stays away."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
import redis
from channels_redis.pubsub import RedisPubSubChannelLayer

import metrics
from realtime import pipelined
from tests.parallel import redis_prefix, redis_url

URL = redis_url(1)


@pytest.fixture
def layer():
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=3).ping()
    except Exception as error:  # pragma: no cover - the service is missing
        pytest.fail(
            f"Redis is not reachable at {URL} ({error}); `make test` starts it."
        )
    return RedisPubSubChannelLayer(hosts=[URL], prefix=f"{redis_prefix()}pipe")


async def listening(layer, group: str) -> str:
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


def counting_sends(monkeypatch) -> list[int]:
    sizes: list[int] = []
    real = pipelined.Pipeline._send

    async def send(self, batch):
        sizes.append(len(batch))
        await real(self, batch)

    monkeypatch.setattr(pipelined.Pipeline, "_send", send)
    return sizes


async def test_a_burst_goes_out_in_order_in_a_few_round_trips(layer, monkeypatch):
    sizes = counting_sends(monkeypatch)
    channel = await listening(layer, "burst")
    pipeline = pipelined.pipeline_for(layer, timeout=3, retry_seconds=(0.05,))
    for n in range(300):
        pipeline.send("burst", {"type": "seats.changed", "n": n})
    got = [(await layer.receive(channel))["n"] for _ in range(300)]
    assert got == list(range(300))
    assert sum(sizes) == 300
    assert len(sizes) == 1, sizes  # queued before the loop's next turn: one batch
    await layer.flush()


async def test_a_failed_batch_is_sent_again_once_in_order(layer, monkeypatch):
    channel = await listening(layer, "again")
    real = pipelined.Pipeline._send
    failures = []

    async def flaky(self, batch):
        if not failures:
            failures.append(len(batch))
            raise ConnectionError("Redis went away")
        await real(self, batch)

    monkeypatch.setattr(pipelined.Pipeline, "_send", flaky)
    pipeline = pipelined.pipeline_for(layer, timeout=3, retry_seconds=(0.01, 0.01))
    for n in range(5):
        pipeline.send("again", {"type": "seats.changed", "n": n})
    got = [(await layer.receive(channel))["n"] for _ in range(5)]
    assert got == [0, 1, 2, 3, 4]
    assert failures == [5]  # queued together, failed once, sent again whole
    await layer.flush()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_with_redis_gone_a_batch_is_given_up_on_loudly(caplog):
    layer = RedisPubSubChannelLayer(hosts=[f"redis://127.0.0.1:{closed_port()}/0"])
    given_up = metrics.PUBLISH_FAILURES.labels("given_up")
    before = given_up._value.get()
    pipeline = pipelined.pipeline_for(layer, timeout=0.5, retry_seconds=(0.01, 0.01))
    with caplog.at_level(logging.WARNING, logger="realtime.pipelined"):
        for n in range(3):
            pipeline.send("gone", {"type": "seats.changed", "n": n})
        for _ in range(200):
            if given_up._value.get() - before >= 3:
                break
            await asyncio.sleep(0.02)
    assert given_up._value.get() - before == 3
    assert any("given up" in r.getMessage() for r in caplog.records)
    assert pipeline.queue == type(pipeline.queue)()
