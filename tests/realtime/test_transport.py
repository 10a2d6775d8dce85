"""Broadcast frames built once and sent at once (realtime.transport).

The real-server side (many sockets, a client that stops reading) is in
test_fanout.py and test_slow_client.py; these pin the two pieces.
"""

from __future__ import annotations

import socket

import pytest

from realtime.transport import framed, write_now


def test_a_text_is_framed_once_and_the_frame_is_a_plain_server_frame():
    text = '{"type":"seats.changed","version":3}'
    first = framed(text)
    assert framed(text) is first
    # FIN + text opcode, unmasked, 7-bit length, then the UTF-8 payload.
    assert first.payloadHybi == bytes([0x81, len(text)]) + text.encode()
    # An equal text that is another object is framed again (identity, not
    # equality), and gives the same bytes.
    other = "".join(list(text))
    assert other is not text
    assert framed(other) is not first
    assert framed(other).payloadHybi == first.payloadHybi
    long = "x" * 70000
    assert framed(long).payloadHybi[:2] == bytes([0x81, 127])


class FakeTransport:
    """The parts of Twisted's TCP transport write_now reads, on a real socket."""

    TLS = False
    connected = True
    disconnecting = False
    _writeDisconnected = False

    def __init__(self, sock: socket.socket):
        self.socket = sock
        self.dataBuffer = b""
        self.offset = 0
        self._tempDataBuffer: list[bytes] = []
        self.buffered: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.buffered.append(bytes(data))
        self._tempDataBuffer.append(bytes(data))


@pytest.fixture
def pair():
    ours, peer = socket.socketpair()
    ours.setblocking(False)
    yield ours, peer
    ours.close()
    peer.close()


def test_with_nothing_buffered_the_bytes_go_straight_to_the_socket(pair):
    ours, peer = pair
    transport = FakeTransport(ours)
    write_now(transport, b"hello")
    assert transport.buffered == []
    assert peer.recv(100) == b"hello"


def test_with_bytes_still_buffered_new_ones_queue_behind_them(pair):
    ours, peer = pair
    transport = FakeTransport(ours)
    transport._tempDataBuffer.append(b"earlier")
    write_now(transport, b"later")
    assert transport.buffered == [b"later"]
    peer.setblocking(False)
    with pytest.raises(BlockingIOError):
        peer.recv(100)


def test_what_a_full_socket_does_not_take_goes_to_the_buffer_in_order(pair):
    ours, peer = pair
    transport = FakeTransport(ours)
    data = bytes(range(256)) * 40000  # far more than a socket buffer
    write_now(transport, data)
    assert len(transport.buffered) == 1
    kept = transport.buffered[0]
    assert 0 < len(kept) < len(data)
    peer.setblocking(False)
    received = b""
    while True:
        try:
            chunk = peer.recv(1 << 20)
        except BlockingIOError:
            break
        received += chunk
    assert received + kept == data


def test_a_closing_or_secure_transport_is_left_to_twisted(pair):
    ours, _ = pair
    for attribute, value in (("disconnecting", True), ("TLS", True)):
        transport = FakeTransport(ours)
        setattr(transport, attribute, value)
        write_now(transport, b"frame")
        assert transport.buffered == [b"frame"]


# Direct sends: text from a consumer straight to its socket's protocol.


def test_the_serving_daphne_gives_bounded_sockets_a_direct_sender():
    import asyncio

    from daphne.server import Server

    from realtime.serving import lean_server
    from realtime.transport import DIRECT_SEND, BoundedWebSocketProtocol

    scopes = []

    async def application(scope, receive, send):
        scopes.append(scope)

    async def make() -> None:
        server = lean_server(Server, direct_sends=True)(
            application=application, endpoints=["tcp:0"]
        )
        server.connections = {}  # what run() starts with
        bounded = BoundedWebSocketProtocol.__new__(BoundedWebSocketProtocol)
        other = object()
        for protocol in (bounded, other):
            server.connections[protocol] = {}
            server.create_application(protocol, {"type": "websocket"})
            await server.connections[protocol]["application_instance"]
        assert scopes[0][DIRECT_SEND] == bounded.send_text_now
        assert DIRECT_SEND not in scopes[1]

    asyncio.run(make())


def test_a_direct_send_goes_out_only_on_an_open_socket(pair):
    from collections import deque

    from realtime.transport import BoundedWebSocketProtocol

    ours, peer = pair
    protocol = BoundedWebSocketProtocol.__new__(BoundedWebSocketProtocol)
    protocol.transport = FakeTransport(ours)
    protocol.send_queue = deque()
    protocol._perMessageCompress = None
    for state in (
        protocol.STATE_CONNECTING,
        protocol.STATE_CLOSING,
        protocol.STATE_CLOSED,
    ):
        protocol.state = state
        protocol.send_text_now("nope")
    protocol.state = protocol.STATE_OPEN
    protocol.send_text_now("hello")
    # Framed once, sent at once: nothing went through Twisted's buffer.
    assert peer.recv(100) == framed("hello").payloadHybi
    assert protocol.transport.buffered == []
    # A client that stopped reading gets what the backpressure path says.
    slow = []
    protocol.serverSend = lambda content, binary=False: slow.append(content)
    protocol._backed_up = True
    protocol.send_text_now("later")
    assert slow == ["later"]


async def test_consumers_send_directly_where_the_server_offers_it():
    from realtime.consumers import send_text
    from realtime.transport import DIRECT_SEND

    class Consumer:
        def __init__(self, scope):
            self.scope = scope
            self.asgi = []

        async def base_send(self, message):
            self.asgi.append(message)

    direct = []
    offered = Consumer({DIRECT_SEND: direct.append})
    await send_text(offered, "a")
    plain = Consumer({})
    await send_text(plain, "b")
    assert (direct, offered.asgi) == (["a"], [])
    assert plain.asgi == [{"type": "websocket.send", "text": "b"}]


def test_the_application_checker_looks_only_at_what_ended():
    """daphne's checker reaps what ended, but no longer visits every open
    connection every second to find it."""
    import asyncio

    from daphne.server import Server

    from realtime.serving import lean_server

    async def run() -> None:
        gate = asyncio.Event()

        async def application(scope, receive, send):
            if scope["path"] == "/runs":
                await gate.wait()

        server = lean_server(Server, direct_sends=False)(
            application=application, endpoints=["tcp:0"]
        )
        server.connections = {}
        server.application_checker = _no_reschedule(server.application_checker)
        running, ended, left = object(), object(), object()
        for protocol, path in ((running, "/runs"), (ended, "/ends"), (left, "/ends")):
            server.protocol_connected(protocol)
            server.create_application(protocol, {"type": "http", "path": path})
        await asyncio.sleep(0.01)  # the short ones finish
        server.protocol_disconnected(left)
        assert server._to_check == {ended, left}
        server.application_checker()
        assert set(server.connections) == {running, ended}
        assert "application_instance" not in server.connections[ended]
        assert "application_instance" in server.connections[running]
        assert server._to_check == set()
        # The long one's client leaves: looked at until its application ends.
        server.protocol_disconnected(running)
        server.application_checker()
        assert running in server.connections and server._to_check == {running}
        gate.set()
        await asyncio.sleep(0.01)
        server.application_checker()
        assert set(server.connections) == {ended}

    asyncio.run(run())


def test_the_timeout_checker_looks_at_a_websocket_only_when_it_can_be_due(
    monkeypatch,
):
    """daphne's keepalive pings and limits, kept; but a socket is visited
    when its ping can be due, not on every pass over every connection."""
    import time

    from daphne.server import Server
    from daphne.ws_protocol import WebSocketProtocol

    from realtime.serving import lean_server

    clock = [1000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    server = lean_server(Server, direct_sends=False)(
        application=None, endpoints=["tcp:0"]
    )
    server.connections = {}
    checker = _no_reschedule(server.timeout_checker)
    looked: list[str] = []
    pings: list[str] = []

    class Socket(WebSocketProtocol):
        def __init__(self, name: str) -> None:
            self.name, self.server, self.state = name, server, self.STATE_OPEN

        def check_timeouts(self) -> None:
            looked.append(self.name)
            super().check_timeouts()

        def _sendAutoPing(self) -> None:
            pings.append(self.name)

    class Request:
        def check_timeouts(self) -> None:
            looked.append("http")

    sockets = {name: Socket(name) for name in "abc"}
    for one in sockets.values():
        server.protocol_connected(one)
        one.socket_opened = one.last_ping = clock[0]
    server.protocol_connected(Request())

    def at(moment: float) -> list[str]:
        clock[0] = moment
        looked.clear()
        checker()
        return sorted(looked)

    assert at(1000) == ["a", "b", "c", "http"]  # first look: clocks set
    assert at(1010) == ["http"]  # nothing can be due: no socket visited
    sockets["b"].last_ping = 1015.0  # b's client sent a message
    assert at(1021) == ["a", "b", "c", "http"] and sorted(pings) == ["a", "c"]
    server.protocol_disconnected(sockets["c"])
    assert at(1036) == ["b", "http"] and pings[-1] == "b"
    assert at(1042) == ["a", "http"] and pings[-1] == "a"  # c is gone


def _no_reschedule(checker):
    """The checker without its `reactor.callLater` of the next pass."""
    from unittest import mock

    def once():
        with mock.patch("daphne.server.reactor"):
            checker()

    return once


def test_new_connections_skip_autobahns_debug_dump(monkeypatch):
    from autobahn.websocket import protocol as autobahn_protocol
    from daphne.ws_protocol import WebSocketFactory

    from realtime.transport import BoundedWebSocketProtocol, install_backpressure

    monkeypatch.setattr(WebSocketFactory, "protocol", WebSocketFactory.protocol)
    monkeypatch.setattr(autobahn_protocol, "pformat", autobahn_protocol.pformat)
    install_backpressure()
    assert WebSocketFactory.protocol is BoundedWebSocketProtocol
    # Forty options formatted per connection for a debug line: not any more.
    assert autobahn_protocol.pformat([("option", 1)] * 40) == "(not formatted)"


def test_the_serving_daphne_counts_websockets_for_the_gc_pacer():
    """Every WebSocket that opens or closes reaches the pacer; plain HTTP
    requests do not (they are short-lived, the collector's usual case)."""
    from daphne.server import Server
    from daphne.ws_protocol import WebSocketProtocol

    from realtime.serving import lean_server

    class Pacer:
        def __init__(self) -> None:
            self.open = self.closed = 0

        def opened(self) -> None:
            self.open += 1

        def closed_one(self) -> None:
            self.closed += 1

    pacer = Pacer()
    server = lean_server(Server, direct_sends=False, gc_pacer=pacer)(
        application=None, endpoints=["tcp:0"]
    )
    server.connections = {}

    class Socket(WebSocketProtocol):
        def __init__(self) -> None:
            self.server, self.state = server, self.STATE_OPEN

    class Request:
        pass

    sockets, request = [Socket() for _ in range(3)], Request()
    for one in (*sockets, request):
        server.protocol_connected(one)
    server.protocol_disconnected(sockets[0])
    server.protocol_disconnected(request)
    assert (pacer.open, pacer.closed) == (3, 1)
