"""A client that stops reading is dropped; the others never wait for it."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets

from devtools.processes import live_server
from tests.contracts.asyncapi import server_frame


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(
        tmp_path_factory.mktemp("slow"),
        seeds=[("--rows", "20", "--seats-per-row", "50")],
    ) as server:
        yield server


async def connect(server, **kwargs):
    ws = await websockets.connect(
        f"ws://127.0.0.1:{server.worker.port}/ws/events/1/",
        origin=f"http://127.0.0.1:{server.worker.port}",
        **kwargs,
    )
    snapshot = server_frame(await ws.recv())
    assert snapshot["type"] == "snapshot"
    return ws, len(json.dumps(snapshot))


async def reply(ws) -> dict:
    """The next frame that is not a heartbeat: the server beats every 5 s,
    and on a slow machine one can come before the answer."""
    while True:
        frame = server_frame(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] != "heartbeat":
            return frame


async def test_a_client_that_stops_reading_is_dropped(server):
    # max_queue=1: the client library stops reading the socket at once.
    slow, snapshot_bytes = await connect(server, max_queue=1)
    fast, _ = await connect(server)
    asked = 300  # about 300 x 170 KB: far beyond every buffer on the way
    for _ in range(asked):
        await slow.send(json.dumps({"type": "snapshot"}))

    # The fast client is served meanwhile.
    started = time.monotonic()
    await fast.send(json.dumps({"type": "ping"}))
    assert (await reply(fast))["type"] == "pong"
    assert time.monotonic() - started < 10

    deadline = time.monotonic() + 30
    while "stopped reading" not in server.server_log():
        assert time.monotonic() < deadline, "the slow client was never dropped"
        await asyncio.sleep(0.2)

    received = 0
    with pytest.raises(websockets.ConnectionClosedError):
        while True:
            await asyncio.wait_for(slow.recv(), 10)
            received += 1
    assert received < asked, "everything arrived: nothing was bounded"
    assert snapshot_bytes > 100_000
    await fast.close()


async def test_a_huge_frame_closes_the_socket_before_it_is_buffered(server):
    ws, _ = await connect(server)
    big = json.dumps({"type": "hold", "seat_ids": [1] * 600_000})  # ~1.8 MB
    await ws.send(big)
    # The server fails the connection (1009, dropped without a handshake)
    # instead of buffering the message or answering it. A heartbeat sent
    # before the server read the frame may still arrive; nothing else may.
    with pytest.raises(websockets.ConnectionClosedError):
        frame = await reply(ws)
        pytest.fail(f"answered instead of closing: {frame['type']}")
    other, _ = await connect(server)
    await other.send(json.dumps({"type": "ping"}))
    assert (await reply(other))["type"] == "pong"
    await other.close()


async def test_a_large_frame_under_the_limit_gets_an_error_reply(server):
    ws, _ = await connect(server)
    await ws.send(json.dumps({"type": "hold", "seat_ids": [1] * 20_000}))
    refused = await reply(ws)
    assert refused["type"] == "error" and refused["code"] == "bad_request"
    await ws.send(json.dumps({"type": "ping"}))
    assert (await reply(ws))["type"] == "pong"
    await ws.close()


async def test_a_half_sent_request_is_dropped_but_an_idle_socket_is_not(tmp_path):
    """SEAT_HTTP_IDLE_SECONDS bounds requests that never finish, not sockets."""
    with live_server(tmp_path, SEAT_HTTP_IDLE_SECONDS="1") as server:
        port = server.worker.port
        idle, _ = await connect(server)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        await writer.drain()
        started = time.monotonic()
        assert await asyncio.wait_for(reader.read(), 10) == b""  # closed on us
        assert time.monotonic() - started < 8
        writer.close()
        # A WebSocket quiet for longer than that is still served.
        await idle.send(json.dumps({"type": "ping"}))
        assert (await reply(idle))["type"] == "pong"
        await idle.close()


async def test_a_trickled_request_meets_its_total_deadline(tmp_path):
    """SEAT_HTTP_REQUEST_SECONDS bounds a request however steadily it trickles;
    a finished request and a WebSocket open for longer are untouched."""
    with live_server(
        tmp_path, SEAT_HTTP_IDLE_SECONDS="20", SEAT_HTTP_REQUEST_SECONDS="2"
    ) as server:
        port = server.worker.port
        socket_open, _ = await connect(server)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started = time.monotonic()
        closed = False
        # One byte a quarter second: the idle timeout (20 s) never fires.
        for _ in range(60):
            try:
                writer.write(b"a")
                await writer.drain()
            except ConnectionError:
                closed = True
                break
            try:
                if await asyncio.wait_for(reader.read(1), 0.25) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        took = time.monotonic() - started
        writer.close()
        assert closed, "the trickling request was never cut off"
        assert 1.5 < took < 12, took
        # A request sent whole on a connection kept open goes through.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(2):
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            assert head.startswith(b"HTTP/1.1 200"), head
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            await asyncio.sleep(2.5)  # past the deadline, between requests
        writer.close()
        # The WebSocket, open for longer than the deadline, is still served.
        await socket_open.send(json.dumps({"type": "ping"}))
        assert (await reply(socket_open))["type"] == "pong"
        await socket_open.close()
