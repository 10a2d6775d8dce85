"""The serving loop's Redis publishes (realtime.pipelined), against a real
Redis: written in the next turn of the loop, in the order sent, written again on a new
connection when one breaks, and given up on loudly when Redis stays away
or never answers."""

from __future__ import annotations

import asyncio
import logging
import re
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


async def test_a_burst_is_written_at_once_and_arrives_in_order(layer):
    channel = await listening(layer, "burst")
    pipeline = pipelined.pipeline_for(layer, timeout=3, retry_seconds=(0.05,))
    pipeline.send("burst", {"type": "seats.changed", "n": -1})  # connects
    assert (await layer.receive(channel))["n"] == -1
    (link,) = pipeline._links.values()
    writes = []
    real_write = link._write
    link._write = lambda messages: (writes.append(len(messages)), real_write(messages))
    for n in range(300):
        pipeline.send("burst", {"type": "seats.changed", "n": n})
    await asyncio.sleep(0)
    # Written in the loop's next turn as one write, not queued behind a reply.
    assert writes == [300] and len(link.unanswered) == 300 and not link.unwritten
    got = [(await layer.receive(channel))["n"] for _ in range(300)]
    assert got == list(range(300))
    for _ in range(100):
        if not pipeline.unanswered:
            break
        await asyncio.sleep(0.01)
    assert pipeline.unanswered == 0  # every reply read
    await layer.flush()


async def test_what_a_broken_connection_did_not_answer_is_written_again_in_order(
    layer, caplog
):
    channel = await listening(layer, "again")
    pipeline = pipelined.pipeline_for(layer, timeout=3, retry_seconds=(0.01, 0.01))
    pipeline.send("again", {"type": "seats.changed", "n": 0})
    assert (await layer.receive(channel))["n"] == 0
    (link,) = pipeline._links.values()
    first = link.connection
    # The connection breaks before these leave (a Redis restart, a reset).
    first._writer.transport.abort()
    with caplog.at_level(logging.WARNING, logger="realtime.pipelined"):
        for n in range(1, 6):
            pipeline.send("again", {"type": "seats.changed", "n": n})
        got = [(await layer.receive(channel))["n"] for _ in range(5)]
    assert got == [1, 2, 3, 4, 5]
    assert link.connection is not None and link.connection is not first
    assert any("failed (attempt 1)" in r.getMessage() for r in caplog.records)
    await layer.flush()


async def test_a_redis_that_never_answers_is_left_and_given_up_on(caplog):
    """A connection that takes the messages and answers nothing (a hung
    Redis) counts as failed after the timeout, like one that is refused."""
    taken: list[bytes] = []

    async def mute(reader, writer):
        while data := await reader.read(65536):
            taken.append(data)

    server = await asyncio.start_server(mute, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    layer = RedisPubSubChannelLayer(hosts=[f"redis://127.0.0.1:{port}/0"])
    given_up = metrics.PUBLISH_FAILURES.labels("given_up")
    before = given_up._value.get()
    pipeline = pipelined.pipeline_for(layer, timeout=0.2, retry_seconds=(0.01,))
    with caplog.at_level(logging.WARNING, logger="realtime.pipelined"):
        for n in range(2):
            pipeline.send("hung", {"type": "seats.changed", "n": n})
        await until_given_up(given_up, before + 2)
    server.close()
    assert given_up._value.get() - before == 2
    assert pipeline.unanswered == 0
    assert any("given up" in r.getMessage() for r in caplog.records)


async def until_given_up(given_up, total: float, seconds: float = 5.0) -> None:
    """Wait (boundedly) for the given-up counter to reach `total`."""
    for _ in range(int(seconds / 0.02)):
        if given_up._value.get() >= total:
            return
        await asyncio.sleep(0.02)


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
        await until_given_up(given_up, before + 3)
    assert given_up._value.get() - before == 3
    assert any("given up" in r.getMessage() for r in caplog.records)
    assert pipeline.unanswered == 0


async def test_a_redis_that_refuses_every_message_is_given_up_on(caplog):
    """Connecting works each time, every PUBLISH fails: reconnecting is not
    progress, so the messages are still given up on after the pauses."""
    connections = []

    async def refusing(reader, writer):
        connections.append(writer)
        while data := await reader.read(65536):
            for command in re.split(rb"(?<=\r\n)(?=\*\d+\r\n)", data):
                # Whatever the client says on connecting is fine; PUBLISH is not.
                refused = b"PUBLISH" in command.upper()
                writer.write(b"-ERR refused\r\n" if refused else b"+OK\r\n")
            await writer.drain()

    server = await asyncio.start_server(refusing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    layer = RedisPubSubChannelLayer(hosts=[f"redis://127.0.0.1:{port}/0"])
    given_up = metrics.PUBLISH_FAILURES.labels("given_up")
    before = given_up._value.get()
    pipeline = pipelined.pipeline_for(layer, timeout=2, retry_seconds=(0.01, 0.01))
    with caplog.at_level(logging.WARNING, logger="realtime.pipelined"):
        pipeline.send("refused", {"type": "seats.changed", "n": 0})
        await until_given_up(given_up, before + 1)
    server.close()
    assert given_up._value.get() - before == 1
    assert len(connections) == 3  # the first try and one per pause
    assert pipeline.unanswered == 0
