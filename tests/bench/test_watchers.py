"""The load generator's lean watchers against a real `websockets` server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import socket
import threading
import time
from collections import Counter

import pytest
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

from bench.arrivals import Arrivals
from bench.watchers import READ_DELAYS, ReadDelays, Watcher, open_watchers

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

SNAPSHOT = {"type": "snapshot.live", "version": 7, "seats": []}


async def _server(handler, process_request=None):
    return await serve(
        handler, "127.0.0.1", 0, compression=None, process_request=process_request
    )


def _url(server, path: str = "/ws/events/1/?snapshot=live") -> str:
    port = server.sockets[0].getsockname()[1]
    return f"ws://127.0.0.1:{port}{path}"


async def test_a_watcher_gets_its_snapshot_then_every_broadcast_in_order():
    seen: list[tuple[str, float]] = []
    requests = []

    async def handler(ws):
        requests.append(ws.request)
        await ws.send(json.dumps(SNAPSHOT))
        for version in range(8, 13):
            await ws.send(json.dumps({"type": "seats.changed", "version": version}))
        # A large frame (a 64-bit length) and a fragmented one come whole.
        await ws.send(json.dumps({"type": "big", "pad": "x" * 70_000}))
        await ws.send(['{"type":', '"parts"}'])
        await ws.wait_closed()

    async with await _server(handler) as server:
        snapshots = []

        def on_open(snapshot):
            snapshots.append(snapshot)
            return lambda text, at: seen.append((text, at))

        watcher = await Watcher.open(_url(server), on_open)
        for _ in range(200):
            if len(seen) == 7:
                break
            await asyncio.sleep(0.01)
        await watcher.close()
    assert snapshots == [SNAPSHOT] and watcher.snapshot == SNAPSHOT
    assert watcher.snapshot_bytes == len(json.dumps(SNAPSHOT))
    kinds = [json.loads(text)["type"] for text, _ in seen]
    assert kinds == ["seats.changed"] * 5 + ["big", "parts"]
    versions = [json.loads(text)["version"] for text, _ in seen[:5]]
    assert versions == [8, 9, 10, 11, 12]
    times = [at for _, at in seen]
    assert times == sorted(times)
    assert watcher.closed
    (request,) = requests
    assert request.path == "/ws/events/1/?snapshot=live"
    assert request.headers["Origin"] == f"http://{request.headers['Host']}"


async def test_a_watcher_answers_pings_and_the_servers_close():
    pongs = []

    async def handler(ws):
        await ws.send(json.dumps(SNAPSHOT))
        waiter = await ws.ping(b"are you there")
        pongs.append(await asyncio.wait_for(waiter, 5))
        await ws.close(1001, "going away")

    async with await _server(handler) as server:
        watcher = await Watcher.open(_url(server), lambda s: lambda t, a: None)
        for _ in range(300):
            if watcher.closed:
                break
            await asyncio.sleep(0.01)
    assert len(pongs) == 1 and pongs[0] >= 0
    assert watcher.closed


async def test_a_refused_socket_or_a_first_frame_that_is_no_snapshot_fails():
    def refuse(connection, request):
        return Response(403, "Forbidden", Headers(), b"no")

    async def not_a_snapshot(ws):
        await ws.send(json.dumps({"type": "error", "code": "event_not_found"}))
        await ws.wait_closed()

    async with await _server(not_a_snapshot, refuse) as server:
        with pytest.raises(ConnectionError, match="403"):
            await Watcher.open(_url(server), lambda s: lambda t, a: None)
    async with await _server(not_a_snapshot) as server:
        with pytest.raises(ConnectionError, match="expected a snapshot"):
            await Watcher.open(_url(server), lambda s: lambda t, a: None)
        url = _url(server)
        errors: Counter[str] = Counter()
        watchers, failed = await open_watchers(
            [url], 2, lambda s: lambda t, a: None, attempts=1, errors=errors
        )
    assert watchers == [] and failed == 2
    # Why, with where: what a run that lost sockets reports.
    (reason,) = errors
    assert reason.startswith(url) and "expected a snapshot" in reason
    assert errors[reason] == 2


async def test_arrivals_report_each_version_once_every_watcher_has_it():
    """Frames are counted by range and spread over versions in batches; a
    version is reported once, when the last watcher had it, at that time."""
    reported: list[dict] = []
    arrivals = Arrivals(reported.append)
    arrivals.watchers = 3
    # Two watchers on one server get 5..7 as one frame; the third, on
    # another server, gets 5..6 and then 7.
    arrivals.saw(5, 7, 1.0)
    arrivals.saw(5, 7, 1.5)
    arrivals.saw(5, 6, 2.0)
    await asyncio.sleep(Arrivals.BATCH_SECONDS * 4)
    assert [(r["version"], r["last"]) for r in reported] == [(5, 2.0), (6, 2.0)]
    arrivals.saw(7, 7, 3.0)
    arrivals.saw(8, 8, 3.5)  # one watcher of three: not yet
    await asyncio.sleep(Arrivals.BATCH_SECONDS * 4)
    assert [(r["version"], r["last"]) for r in reported[2:]] == [(7, 3.0)]
    assert reported[2]["last_wall"] - 3.0 == pytest.approx(
        reported[0]["last_wall"] - 2.0
    )


async def test_a_version_carried_past_the_count_twice_in_a_batch_is_reported_once():
    """Two ranges of one batch both reaching the count for a version (one
    watcher counted twice) report it once, and the versions after it too."""
    reported: list[dict] = []
    arrivals = Arrivals(reported.append)
    arrivals.watchers = 1
    arrivals.saw(3, 4, 1.0)
    arrivals.saw(4, 5, 2.0)
    arrivals.settle()
    assert [(r["version"], r["last"]) for r in reported] == [
        (3, 1.0),
        (4, 2.0),
        (5, 2.0),
    ]


async def test_arrivals_settle_at_once_when_asked():
    """The runner reads arrivals right after a process's audit: settling
    then reports what was counted without waiting for the batch."""
    reported: list[dict] = []
    arrivals = Arrivals(reported.append)
    arrivals.watchers = 1
    arrivals.saw(3, 4, 1.0)
    arrivals.settle()
    assert [r["version"] for r in reported] == [3, 4]
    await asyncio.sleep(Arrivals.BATCH_SECONDS * 4)
    assert len(reported) == 2  # the batch's timer reported nothing twice


def _threaded_server(send_now: threading.Event, sent: threading.Event, sent_at):
    """A WebSocket server on a thread of its own: the snapshot, then one
    frame once `send_now` is set, whatever the test's loop is doing; `sent`
    is set (and the time kept) once the frame is in the client's socket."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, listener:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(4096)
            key = re.search(rb"Sec-WebSocket-Key: (\S+)", request).group(1)
            accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
            )
            for message in (SNAPSHOT, {"type": "seats.changed", "version": 8}):
                if message is not SNAPSHOT:
                    send_now.wait(10)
                payload = json.dumps(message).encode()
                conn.sendall(bytes((0x81, len(payload))) + payload)
            # On loopback the bytes are in the client's socket once sendall returns.
            sent_at.append(time.monotonic())
            sent.set()
            conn.recv(4096)  # the watcher's close

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread


async def _one_late_read() -> tuple[float, float, float]:
    """A frame sent while this loop is kept busy for 0.3 s: when it was
    sent, the time the watcher handed on, and when it was read."""
    send_now, sent, sent_at, seen = threading.Event(), threading.Event(), [], []
    port, thread = _threaded_server(send_now, sent, sent_at)
    watcher = await Watcher.open(
        f"ws://127.0.0.1:{port}/ws/events/1/",
        lambda snapshot: lambda text, at: seen.append((at, time.monotonic())),
    )
    send_now.set()
    # This loop is busy elsewhere while the frame comes, and for 0.3 s after.
    assert sent.wait(10)
    time.sleep(0.3)
    for _ in range(200):
        if seen:
            break
        await asyncio.sleep(0.01)
    await watcher.close()
    thread.join(5)
    ((arrived, read),) = seen
    return sent_at[0], arrived, read


async def test_a_frame_is_timed_when_it_reached_the_socket_not_when_it_was_read():
    """The generator may read a frame late (thousands of sockets in turn):
    the time handed on is the kernel's, and the wait is counted apart.

    Up to three tries: on a loaded machine the kernel itself may put the
    bytes in the socket late (its network work deferred to a busy core),
    and then they did reach it late. A watcher that handed on its read
    time instead would fail all three."""
    for _ in range(3):
        READ_DELAYS.clear()
        sent_at, arrived, read = await _one_late_read()
        assert arrived <= read
        # When it reached the socket (at most when sendall returned; the
        # clocks' conversion allows a little), not when it was read.
        if arrived - sent_at < 0.05:
            break
    assert arrived - sent_at < 0.05 and read - arrived >= 0.25
    delays = READ_DELAYS.summary()
    assert delays["frames"] == 1 and delays["p99_ms"] >= 200


def test_read_delays_are_a_histogram_of_whole_milliseconds():
    delays = ReadDelays()
    assert delays.summary() == {"frames": 0, "p50_ms": None, "p99_ms": None}
    for _ in range(98):
        delays.add(0.0004)
    delays.add(0.0123)
    delays.add(7.0)  # a second or more: the last bucket
    assert delays.summary() == {"frames": 100, "p50_ms": 1, "p99_ms": 13}
