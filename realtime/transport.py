"""Backpressure and size limits for WebSockets in the daphne process.

ASGI has no way to tell an application that a client reads slowly: daphne
accepts every `websocket.send` and Twisted buffers whatever the client has
not read yet, without limit. This protocol registers itself as a streaming
producer on its transport, so Twisted tells it when more than 64 KiB are
waiting (pauseProducing) and when they have drained (resumeProducing). A
client that lets another `MAX_BACKLOG_BYTES` pile up on top is dropped:
its memory is freed at once, the others never wait for it, and it resyncs
from a snapshot when it reconnects.

It also writes each broadcast's frame once: the text the hub hands to every
socket of a group is encoded and framed for the first and the same bytes go
to the others (`framed`).

And it lets a consumer send text straight to its socket (`DIRECT_SEND`, a
callable in the scope): a broadcast to thousands of sockets otherwise pays,
per socket, the ASGI reply path (the session middleware's send, daphne's
`handle_reply` coroutine and its checks, the protocol's dispatch on the
message type) for what is, on an open socket, one write of ready bytes.
"""

from __future__ import annotations

import logging

from autobahn.websocket import protocol as autobahn_protocol
from autobahn.websocket.protocol import PreparedMessage
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol

logger = logging.getLogger(__name__)

MAX_BACKLOG_BYTES = 4 * 1024 * 1024
# The scope key of a socket's direct text sender (BoundedWebSocketProtocol
# .send_text_now), set by the serving process's daphne (realtime.serving);
# absent elsewhere (tests' communicators), where the ASGI send is used.
DIRECT_SEND = "seats.direct_send"
# Incoming messages larger than this close the socket (1009) before they are
# buffered whole; up to it, the consumer answers oversized frames with an
# error instead (wire.requests.MAX_FRAME_CHARS).
MAX_INCOMING_BYTES = 1024 * 1024


# The last text framed, and its frame: the hub hands one str object to every
# socket of a group in turn, so each broadcast is encoded and framed once.
_last_framed: tuple[str, PreparedMessage] | None = None


def framed(text: str) -> PreparedMessage:
    """`text` as a server-to-client WebSocket frame, built once per text object.

    Server frames are never masked (RFC 6455, 5.1), so the bytes are the
    same for every socket. Identity, not equality: comparing a long text
    costs what framing it does, and the hub reuses the object anyway.
    """
    global _last_framed
    if _last_framed is None or _last_framed[0] is not text:
        _last_framed = (text, PreparedMessage(text.encode(), False, False, False))
    return _last_framed[1]


def write_now(transport, data: bytes) -> None:
    """Send at once when nothing waits in Twisted's buffer; else as Twisted does.

    Twisted's `write` only buffers, and has the reactor watch the socket: an
    epoll change, a loop turn, the send, another epoll change. Per socket
    and per frame that was most of a broadcast's cost. Sending straight
    away, as asyncio's own transports do, is one send(); whatever the socket
    does not take goes through Twisted's buffer, after what is already in it,
    so order and the producer's pause/resume are Twisted's as before.
    """
    try:
        # Plain attribute reads: this runs once per socket per broadcast.
        clear = (
            transport.connected
            and not transport.disconnecting
            and not transport._writeDisconnected
            and not transport._tempDataBuffer
            and len(transport.dataBuffer) <= transport.offset
            and not transport.TLS
        )
        sock = transport.socket
    except AttributeError:  # not a plain TCP transport: Twisted's way
        clear = False
    if not clear:
        transport.write(data)
        return
    try:
        sent = sock.send(data)
    except (BlockingIOError, InterruptedError):
        sent = 0
    except OSError:
        # A dead peer: Twisted meets the error on its own write and closes.
        sent = 0
    if sent < len(data):
        transport.write(data[sent:])


class BoundedWebSocketProtocol(WebSocketProtocol):
    _backed_up = False
    _backlog = 0
    # Broadcasts as prepared frames (realtime.transport.framed); the settings'
    # SEAT_WS_FRAMES_ONCE turns it off (install_backpressure).
    frames_once = True

    def onConnect(self, request):
        # autobahn copies its options from the factory when the TCP connection
        # is made, before this; daphne sets no limit, so set ours here.
        self.maxMessagePayloadSize = MAX_INCOMING_BYTES
        self.maxFramePayloadSize = MAX_INCOMING_BYTES
        return super().onConnect(request)

    def onOpen(self):
        super().onOpen()
        # The HTTP channel that upgraded this connection is still registered
        # as the transport's producer; the socket is ours now.
        if getattr(self.transport, "producer", None) is not None:
            self.transport.unregisterProducer()
        self.transport.registerProducer(self, True)

    # Twisted's streaming-producer interface, called by the transport.
    def pauseProducing(self):
        self._backed_up = True

    def resumeProducing(self):
        self._backed_up = False
        self._backlog = 0

    def stopProducing(self):
        self._backed_up = False

    def sendData(self, data: bytes, sync: bool = False, chopsize=None) -> None:
        """autobahn's every write (handshake answers, pings, pongs, closes,
        replies) sent at once when nothing waits before it (`write_now`):
        through Twisted's buffer each costs a writer registration with the
        loop, and daphne pings every socket every 20 s, which at 10,000
        idle sockets was most of an idle server's CPU."""
        if sync or chopsize or self.send_queue:
            super().sendData(data, sync, chopsize)
        else:
            write_now(self.transport, data)

    def send_text_now(self, text: str) -> None:
        """A text frame from the application, without the ASGI reply path.

        Only once the socket is open (the consumer accepted it); afterwards,
        as daphne does for a socket that is gone, nothing.
        """
        if self.state != self.STATE_OPEN:
            return
        if self._backed_up or not self.frames_once or self._perMessageCompress:
            self.serverSend(text, False)
        else:  # the broadcast hot path: framed once, written at once
            self.sendData(framed(text).payloadHybi)

    def serverSend(self, content, binary=False):
        if self._backed_up:
            self._backlog += len(content)
            if self._backlog > MAX_BACKLOG_BYTES:
                if self._backlog - len(content) <= MAX_BACKLOG_BYTES:
                    logger.info("dropping %s: it stopped reading", self.client_addr)
                    self.dropConnection(abort=True)
                return
        if (
            self.frames_once
            and not binary
            and self.state == self.STATE_OPEN
            and self._perMessageCompress is None
        ):
            # The hot path of a broadcast: the same bytes for every socket
            # (no per-socket encode or framing), sent at once.
            self.sendData(framed(content).payloadHybi)
            return
        # autobahn applies the incoming message limit to outgoing messages
        # too; ours are not limited (a 5,000-seat snapshot is over 1 MiB).
        self.maxMessagePayloadSize = 0
        try:
            super().serverSend(content, binary)
        finally:
            self.maxMessagePayloadSize = MAX_INCOMING_BYTES


def _unformatted(value: object, *args: object, **kwargs: object) -> str:
    return "(not formatted)"


def install_backpressure(frames_once: bool = True) -> None:
    """Make daphne build bounded protocols for every WebSocket from now on."""
    BoundedWebSocketProtocol.frames_once = frames_once
    WebSocketFactory.protocol = BoundedWebSocketProtocol
    # autobahn pretty-prints each new connection's forty options for a debug
    # log, whether or not anything logs at debug: about 4 % of an arrival's
    # CPU in a storm. Its debug lines lose that dump, nothing else.
    autobahn_protocol.pformat = _unformatted  # type: ignore[assignment]
