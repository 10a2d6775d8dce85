"""Watching sockets for the load generator: frames off the socket, kernel-timed.

A `websockets` client hands every frame through its parser, an assembler
queue and a task switch to the reader: about 20 µs of the generator's CPU
per frame. 5,000 watchers at ten frames a second took a whole core of the
two, and the servers were measured on what was left. A watcher needs none
of that: it only receives, so it reads the frames straight off its socket
when the loop says it is readable (a server's frames are never masked,
RFC 6455 5.1), answers pings and closes, and hands each text message to
its callback with the moment it arrived.

That moment is the kernel's (SO_TIMESTAMPNS: when the socket received the
bytes), not when this process got round to reading them. A browser reads
its one socket at once; a generator reads thousands in turn, and a frame
read last of a burst waited tens of milliseconds in the generator, which
was counted as the server's lag. How long frames wait to be read is kept
as well (`READ_DELAYS`), so the report says what the generator added.

The handshake is a browser's: an Origin, no extensions, no subprotocol.
Clickers and tests keep devtools' `SeatMapClient`, which also sends.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import socket
import struct
import time
from collections import Counter
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

# Linux's receive timestamps in nanoseconds (SO_TIMESTAMPNS, 35 on x86-64
# and arm64; SCM_TIMESTAMPNS is the same number): a struct timespec of the
# wall clock, the time of the last bytes a read returned.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
_TIMESPEC = struct.Struct("@ll")
_ANCILLARY_BYTES = socket.CMSG_SPACE(_TIMESPEC.size)
# A read's buffer: 64 KiB. asyncio's transports read 256 KiB at a time, and
# a buffer that large is allocated and shrunk to the bytes read on every
# read, outside the allocator's reuse: 2,000 sockets each read 100 times
# took 22 µs of CPU per read that way, 7 µs with 64 KiB, in isolation. In
# the on-sale the kernel's own work per read (the copy, the window's ACK
# over loopback) is most of a watcher's cost, and the saving is within
# the spread between runs; it is kept as the cheaper of the two.
_READ_BYTES = 64 * 1024


class ReadDelays:
    """How long frames waited in their sockets before the generator read
    them: a histogram in whole milliseconds (the last bucket: a second or
    more), cheap enough to count every frame."""

    BUCKETS = 1000

    def __init__(self) -> None:
        self.counts = [0] * self.BUCKETS

    @classmethod
    def of(cls, counts: list[int]) -> ReadDelays:
        delays = cls()
        delays.counts = list(counts)
        return delays

    def add(self, seconds: float) -> None:
        self.counts[min(int(seconds * 1000), self.BUCKETS - 1)] += 1

    def clear(self) -> None:
        self.counts = [0] * self.BUCKETS

    def summary(self) -> dict:
        """Frames counted, and the 50th and 99th percentile in ms (bucket tops)."""
        total = sum(self.counts)
        result = {"frames": total, "p50_ms": None, "p99_ms": None}
        if not total:
            return result
        wanted = {"p50_ms": 0.5 * total, "p99_ms": 0.99 * total}
        seen = 0
        for ms, count in enumerate(self.counts):
            seen += count
            for key, rank in list(wanted.items()):
                if seen >= rank:
                    result[key] = ms + 1
                    del wanted[key]
            if not wanted:
                break
        return result


# Every watcher of this process counts its reads here.
READ_DELAYS = ReadDelays()


def _client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked frame (clients must mask, RFC 6455 5.3); control frames only,
    so the payload is at most 125 bytes."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes((0x80 | opcode, 0x80 | len(payload))) + mask + masked


class _Socket:
    """One watcher's socket, read and written without a transport.

    asyncio's transports read with recv(), which says nothing of when the
    bytes came; recvmsg() hands over the kernel's timestamp with them.
    Writes are a handful of small control frames: sent at once, and what
    the socket does not take is sent when it can.
    """

    def __init__(self, sock: socket.socket, request: bytes, key: bytes, on_open):
        loop = asyncio.get_running_loop()
        self.loop = loop
        self.sock = sock
        self.accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
        self.on_open: OnOpen = on_open
        self.on_broadcast: OnBroadcast | None = None
        self.opened: asyncio.Future[dict] = loop.create_future()
        self.gone: asyncio.Future[None] = loop.create_future()
        self.buffer = bytearray()
        self.outgoing = bytearray()
        self._last_arrived = 0.0  # monotonic time of the last bytes read
        self.upgraded = False
        self.fragments: list[bytes] = []
        self.snapshot_bytes = 0
        loop.add_reader(sock.fileno(), self._readable)
        self.write(request)

    # -- the socket ------------------------------------------------------

    def write(self, data: bytes) -> None:
        if self.gone.done():
            return
        waiting = bool(self.outgoing)
        self.outgoing += data
        if not waiting:
            self._send_some()
            if self.outgoing and not self.gone.done():
                self.loop.add_writer(self.sock.fileno(), self._writable)

    def _writable(self) -> None:
        self._send_some()
        if not self.outgoing and not self.gone.done():
            self.loop.remove_writer(self.sock.fileno())

    def _send_some(self) -> None:
        """As much of what waits as the socket takes now."""
        try:
            sent = self.sock.send(self.outgoing)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._lost(error)
            return
        del self.outgoing[:sent]

    def _readable(self) -> None:
        try:
            data, ancillary, _, _ = self.sock.recvmsg(_READ_BYTES, _ANCILLARY_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._lost(error)
            return
        if not data:
            self._lost(None)
            return
        read, wall = time.monotonic(), time.time()
        arrived = read
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = _TIMESPEC.unpack_from(value)
                # How long ago the kernel stamped it, by the wall clock now:
                # a conversion fixed at start drifts as NTP slews the wall
                # clock (0.3 s over a ten-minute test run, seen).
                ago = wall - (seconds + nanoseconds / 1e9)
                arrived = min(read, read - ago)
        # Bytes of one socket arrive in order: two reads' conversions may
        # differ by the microseconds between the two clocks' reads, which
        # must not put a later frame before an earlier one.
        arrived = max(arrived, self._last_arrived)
        self._last_arrived = arrived
        self._received(data, arrived, read)

    def abort(self) -> None:
        self._lost(None)

    def _lost(self, error: Exception | None) -> None:
        if self.gone.done():
            return
        fd = self.sock.fileno()
        if fd >= 0:
            self.loop.remove_reader(fd)
            self.loop.remove_writer(fd)
        self.sock.close()
        if not self.opened.done():
            self.opened.set_exception(
                ConnectionError(f"closed before the snapshot: {error}")
            )
        self.gone.set_result(None)

    # -- the WebSocket ---------------------------------------------------

    def _received(self, data: bytes, now: float, read: float) -> None:
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
            if self.on_broadcast is not None:
                READ_DELAYS.add(read - now)
            self._frame(first, bytes(buffer[at + head : end]), now)
            if self.gone.done():
                return
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
            self.write(_client_frame(_PONG, payload))
        elif opcode == _CLOSE:
            self.write(_client_frame(_CLOSE, payload[:2]))
            self._lost(None)

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
        self._lost(None)


class Watcher:
    """One receiving socket; the attributes the generator reads of a client."""

    def __init__(self, protocol: _Socket, snapshot: dict):
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
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await asyncio.wait_for(
                loop.sock_connect(sock, (parts.hostname, parts.port)), timeout
            )
        except BaseException:
            sock.close()
            raise
        protocol = _Socket(sock, request, key, on_open)
        try:
            snapshot = await asyncio.wait_for(asyncio.shield(protocol.opened), timeout)
        except BaseException:
            protocol.abort()
            raise
        return cls(protocol, snapshot)

    async def close(self) -> None:
        """A close handshake, then the connection dropped if it lingers."""
        protocol = self._protocol
        if protocol.gone.done():
            return
        protocol.write(_client_frame(_CLOSE, (1000).to_bytes(2, "big")))
        try:
            await asyncio.wait_for(asyncio.shield(protocol.gone), 10)
        except TimeoutError:
            protocol.abort()


async def open_watchers(
    urls: Sequence[str],
    count: int,
    on_open: OnOpen,
    *,
    concurrency: int = CONNECT_CONCURRENCY,
    attempts: int = 3,
    errors: Counter[str] | None = None,
) -> tuple[list[Watcher], int]:
    """`count` watchers spread round-robin over `urls`; (watchers, failures)."""
    return await spread(
        lambda url: Watcher.open(url, on_open),
        urls,
        count,
        concurrency=concurrency,
        attempts=attempts,
        errors=errors,
    )
