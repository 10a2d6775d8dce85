"""Backpressure and size limits for WebSockets in the daphne process.

ASGI has no way to tell an application that a client reads slowly: daphne
accepts every `websocket.send` and Twisted buffers whatever the client has
not read yet, without limit. This protocol registers itself as a streaming
producer on its transport, so Twisted tells it when more than 64 KiB are
waiting (pauseProducing) and when they have drained (resumeProducing). A
client that lets another `MAX_BACKLOG_BYTES` pile up on top is dropped:
its memory is freed at once, the others never wait for it, and it resyncs
from a snapshot when it reconnects.
"""

from __future__ import annotations

import logging

from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol

logger = logging.getLogger(__name__)

MAX_BACKLOG_BYTES = 4 * 1024 * 1024
# Incoming messages larger than this close the socket (1009) before they are
# buffered whole; up to it, the consumer answers oversized frames with an
# error instead (wire.requests.MAX_FRAME_CHARS).
MAX_INCOMING_BYTES = 1024 * 1024


class BoundedWebSocketProtocol(WebSocketProtocol):
    _backed_up = False
    _backlog = 0

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

    def serverSend(self, content, binary=False):
        if self._backed_up:
            self._backlog += len(content)
            if self._backlog > MAX_BACKLOG_BYTES:
                if self._backlog - len(content) <= MAX_BACKLOG_BYTES:
                    logger.info("dropping %s: it stopped reading", self.client_addr)
                    self.dropConnection(abort=True)
                return
        # autobahn applies the incoming message limit to outgoing messages
        # too; ours are not limited (a 5,000-seat snapshot is over 1 MiB).
        self.maxMessagePayloadSize = 0
        try:
            super().serverSend(content, binary)
        finally:
            self.maxMessagePayloadSize = MAX_INCOMING_BYTES


def install_backpressure() -> None:
    """Make daphne build bounded protocols for every WebSocket from now on."""
    WebSocketFactory.protocol = BoundedWebSocketProtocol
