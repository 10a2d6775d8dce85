"""Watching sockets for the load generator: frames read in the loop's callback.

A `websockets` client hands every frame through its parser, an assembler
queue and a task switch to the reader: about 20 µs of the generator's CPU
per frame. 5,000 watchers at ten frames a second took a whole core of the
two, and the servers were measured on what was left. A watcher needs none
of that: it only receives, so it reads the frames straight off the stream
in `data_received` (a server's frames are never masked, RFC 6455 5.1),
answers pings and closes, and hands each text message to its callback
stamped with `time.monotonic()` as it came off the socket.

The handshake is a browser's: an Origin, no extensions, no subprotocol.
Clickers and tests keep devtools' `SeatMapClient`, which also sends.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from devtools.wsclient import (
    CONNECT_CONCURRENCY,
    OnBroadcast,
    OnOpen,
    origin_of,
    spread,
)

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_TEXT, _BINARY, _CLOSE, _PING, _PONG = 1, 2, 8, 9, 10
SNAPSHOTS = ("snapshot", "snapshot.live")


def _client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked frame (clients must mask, RFC 6455 5.3); control frames only,
    so the payload is at most 125 bytes."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes((0x80 | opcode, 0x80 | len(payload))) + mask + masked


class _Protocol(asyncio.Protocol):
    def __init__(self, request: bytes, key: bytes, on_open: OnOpen):
        self.request = request
        self.accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
        self.on_open = on_open
        self.on_broadcast: OnBroadcast | None = None
        self.opened: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        self.gone = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.fragments: list[bytes] = []
        self.snapshot_bytes = 0

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc) -> None:
        if not self.opened.done():
            self.opened.set_exception(
                ConnectionError(f"closed before the snapshot: {exc}")
            )
        if not self.gone.done():
            self.gone.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.upgraded and not self._upgrade():
            return
        at, size = 0, len(buffer)
        while size - at >= 2:
            first, second = buffer[at], buffer[at + 1]
            length, head = second & 0x7F, 2
            if length == 126:
                if size - at < 4:
                    break
                length, head = int.from_bytes(buffer[at + 2 : at + 4], "big"), 4
            elif length == 127:
                if size - at < 10:
                    break
                length, head = int.from_bytes(buffer[at + 2 : at + 10], "big"), 10
            end = at + head + length
            if end > size:
                break
            if second & 0x80:  # a masked server frame: the peer is broken
                self._fail("the server masked a frame")
                return
            self._frame(first, bytes(buffer[at + head : end]), now)
            at = end
        del buffer[:at]

    def _upgrade(self) -> bool:
        """The handshake's answer read and checked, once it is all here."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).lower()
        del self.buffer[: end + 4]
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status + b" ":
            self._fail(f"refused: {status.decode(errors='replace')}")
            return False
        if b"sec-websocket-accept: " + self.accept.lower() not in head:
            self._fail("a wrong Sec-WebSocket-Accept")
            return False
        self.upgraded = True
        return True

    def _frame(self, first: int, payload: bytes, now: float) -> None:
        opcode = first & 0x0F
        if opcode in (_TEXT, _BINARY, 0):
            if not first & 0x80:  # a fragment: the rest comes later
                self.fragments.append(payload)
                return
            if self.fragments:
                payload = b"".join([*self.fragments, payload])
                self.fragments = []
            self._message(payload, now)
        elif opcode == _PING:
            self.transport.write(_client_frame(_PONG, payload))
        elif opcode == _CLOSE:
            self.transport.write(_client_frame(_CLOSE, payload[:2]))
            self.transport.close()

    def _message(self, payload: bytes, now: float) -> None:
        text = payload.decode()
        if self.on_broadcast is not None:
            self.on_broadcast(text, now)
            return
        # The first message is the snapshot: the callback is made from it
        # here, so broadcasts in the same read already have somewhere to go.
        snapshot = json.loads(text)
        if snapshot.get("type") not in SNAPSHOTS:
            self._fail(f"expected a snapshot, got {text[:200]!r}")
            return
        self.snapshot_bytes = len(payload)
        self.on_broadcast = self.on_open(snapshot)
        self.opened.set_result(snapshot)

    def _fail(self, why: str) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(why))
        self.transport.abort()


class Watcher:
    """One receiving socket; the attributes the generator reads of a client."""

    def __init__(self, protocol: _Protocol, snapshot: dict):
        self._protocol = protocol
        self.snapshot = snapshot
        self.snapshot_bytes = protocol.snapshot_bytes

    @property
    def closed(self) -> bool:
        return self._protocol.gone.done()

    @classmethod
    async def open(cls, url: str, on_open: OnOpen, timeout: float = 60) -> Watcher:
        """Connected, with the snapshot read and `on_open`'s callback in place."""
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        key = base64.b64encode(os.urandom(16))
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key.decode()}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {origin_of(url)}\r\n\r\n"
        ).encode()
        loop = asyncio.get_running_loop()
        transport, protocol = await asyncio.wait_for(
            loop.create_connection(
                lambda: _Protocol(request, key, on_open), parts.hostname, parts.port
            ),
            timeout,
        )
        try:
            snapshot = await asyncio.wait_for(asyncio.shield(protocol.opened), timeout)
        except BaseException:
            transport.abort()
            raise
        return cls(protocol, snapshot)

    async def close(self) -> None:
        """A close handshake, then the connection dropped if it lingers."""
        protocol = self._protocol
        if protocol.gone.done():
            return
        protocol.transport.write(_client_frame(_CLOSE, (1000).to_bytes(2, "big")))
        try:
            await asyncio.wait_for(asyncio.shield(protocol.gone), 10)
        except TimeoutError:
            protocol.transport.abort()


async def open_watchers(
    urls: Sequence[str],
    count: int,
    on_open: OnOpen,
    *,
    concurrency: int = CONNECT_CONCURRENCY,
    attempts: int = 3,
) -> tuple[list[Watcher], int]:
    """`count` watchers spread round-robin over `urls`; (watchers, failures)."""
    return await spread(
        lambda url: Watcher.open(url, on_open),
        urls,
        count,
        concurrency=concurrency,
        attempts=attempts,
    )
