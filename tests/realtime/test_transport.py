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
