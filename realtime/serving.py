"""Start-up wiring of a serving process, in one explicit order.

1. The ASGI application is loaded from settings.ASGI_APPLICATION (no import
   of `config` from here: dependencies point down the layers only).
2. daphne's event loop is registered as the process's serving loop before
   anything can publish, so the sweeper thread and every socket publish on
   that one loop (the in-memory channel layer is not thread-safe).
3. The background workers start (workers.running: the sweeper and the
   webhook sender, in the embedded default), then bounded WebSockets, then
   daphne itself.
"""

from __future__ import annotations

import asyncio
import gc
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from typing import Any, cast

# Installs Twisted's asyncio reactor, before anything else can import
# twisted.internet.reactor and install the default one: a serving process
# imports this module first (daphne's own app is not installed, see
# config/settings.py).
import daphne.server  # noqa: F401
from channels.routing import get_default_application
from django.conf import settings

from realtime.forwarded import LOOPBACK, ForwardedClient, TrustedProxies, networks
from realtime.gc_pacing import GcPacer
from realtime.hub import set_server_loop
from realtime.transport import (
    DIRECT_SEND,
    BoundedWebSocketProtocol,
    install_backpressure,
)
from seats import loop_db
from wire import frames, rest
from workers.running import InProcess

logger = logging.getLogger(__name__)


def backends_summary() -> str:
    database = settings.DATABASES["default"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    where = (
        database["NAME"]
        if engine == "sqlite3"
        else f"{database['HOST']}/{database['NAME']}"
    )
    layer = str(settings.CHANNEL_LAYERS["default"]["BACKEND"]).rsplit(".", 1)[-1]
    return f"database: {engine} ({where}), channel layer: {layer}"


def bound_idle_http(seconds: float) -> None:
    """Drop HTTP connections that send nothing for `seconds` (a half-sent request).

    Twisted's default is 12 hours, so a few hundred half-sent requests stay
    open as long. The timer only runs while a request is being received:
    Twisted stops it once a request is complete, so responses that take
    long and WebSockets (upgraded requests) are never cut by it.
    """
    from daphne.http_protocol import HTTPFactory

    original = HTTPFactory.__init__

    def __init__(factory: HTTPFactory, server: Any) -> None:
        original(factory, server)
        factory.timeOut = seconds

    HTTPFactory.__init__ = __init__


def bound_request_http(seconds: float) -> None:
    """Drop HTTP connections whose request head and body take over `seconds`.

    The idle timeout restarts with every byte, so a client trickling one
    byte every few seconds would hold its connection for ever. This
    deadline starts with a request's first byte and ends once the request
    is complete (`allContentReceived`, also for a WebSocket's upgrade
    request), so responses that take long, keep-alive pauses between
    requests and WebSockets are never cut by it. 0 turns it off.
    """
    if seconds <= 0:
        return
    from twisted.web.http import HTTPChannel

    received, complete, lost = (
        HTTPChannel.dataReceived,
        HTTPChannel.allContentReceived,
        HTTPChannel.connectionLost,
    )

    def stop(channel: HTTPChannel) -> None:
        deadline = channel.__dict__.pop("_request_deadline", None)
        if deadline is not None and deadline.active():
            deadline.cancel()

    def dataReceived(channel: HTTPChannel, data: bytes) -> None:
        if "_request_deadline" not in channel.__dict__ and not channel._handlingRequest:
            channel.__dict__["_request_deadline"] = channel.callLater(
                seconds, channel.timeoutConnection
            )
        received(channel, data)

    def allContentReceived(channel: HTTPChannel) -> None:
        stop(channel)
        complete(channel)

    def connectionLost(channel: HTTPChannel, reason: Any) -> None:
        stop(channel)
        lost(channel, reason)

    HTTPChannel.dataReceived = dataReceived  # type: ignore[method-assign]
    HTTPChannel.allContentReceived = allContentReceived  # type: ignore[method-assign]
    HTTPChannel.connectionLost = connectionLost  # type: ignore[method-assign]


def bound_body_http(max_bytes: int) -> None:
    """Refuse request bodies over `max_bytes` as they arrive: a 413 problem.

    Twisted receives a whole body (to a temporary file past 100 KB) before
    daphne hands the request on, so an application-level limit would come
    after gigabytes had reached the disk. A declared length over the bound
    is answered at once; a chunked body is counted and cut when it passes
    it. The connection is closed after the answer and further bytes are
    dropped. Bodies the application reads stay bounded by Django's own
    limits (api.limits answers 413 on /api/ for smaller ones).
    """
    from twisted.web.http import Request

    got_length, handle_chunk = Request.gotLength, Request.handleContentChunk
    detail = f"The request body is larger than {max_bytes} bytes."
    body = frames.dumps(rest.problem(413, "payload_too_large", detail)).encode()
    answer = (
        b"HTTP/1.1 413 Payload Too Large\r\n"
        b"Content-Type: application/problem+json\r\n"
        + f"Content-Length: {len(body)}\r\n".encode()
        + b"Connection: close\r\n\r\n"
        + body
    )

    def refuse(request: Request) -> None:
        if not request.__dict__.get("_refused"):
            request.__dict__["_refused"] = True
            channel: Any = request.channel
            channel.transport.write(answer)
            channel.loseConnection()

    def gotLength(request: Request, length: int | None) -> None:
        if length is not None and length > max_bytes:
            refuse(request)
            length = 0  # nothing of it is kept
        got_length(request, length)

    def handleContentChunk(request: Request, data: bytes) -> None:
        if request.__dict__.get("_refused"):
            return
        received = request.__dict__.get("_received", 0) + len(data)
        request.__dict__["_received"] = received
        if received > max_bytes:
            refuse(request)
            return
        handle_chunk(request, data)

    Request.gotLength = gotLength  # type: ignore[method-assign]
    Request.handleContentChunk = handleContentChunk  # type: ignore[method-assign]


def lean_server(
    server_class: type, *, direct_sends: bool, gc_pacer: GcPacer | None = None
) -> type:
    """daphne's Server, cheaper per socket at tens of thousands of them.

    * Its application checker looks only at connections that need it (the
      application ended, or the client left) instead of every connection
      every second: at 10,000 idle sockets the full scan was half of an
      idle server's CPU. What it does with each is daphne's own code.
    * Its timeout checker visits a WebSocket only when something of it can
      be due (its keepalive ping, its connect or lifetime limit), from a
      heap ordered by that time, instead of every connection every 2 s:
      at 10,000 waiting pages the scan was a sixteenth of the server's CPU
      while admitting. What it does with each is daphne's own
      `check_timeouts`; other connections are checked every pass as before.
    * With `direct_sends`, each bounded WebSocket's application gets a
      direct sender in its scope (realtime.transport.DIRECT_SEND).
    * With a `gc_pacer`, every WebSocket that opens or closes is counted
      there (realtime.gc_pacing).
    """
    from daphne.ws_protocol import WebSocketProtocol

    class LeanServer(server_class):
        connections: dict[Any, dict[str, Any]]

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._to_check: set[Any] = set()
            # (when, tie-breaker, socket): the next look at each WebSocket.
            self._sockets_due: list[tuple[float, int, Any]] = []
            self._others: set[Any] = set()
            self._ties = itertools.count()

        def protocol_connected(self, protocol: Any) -> None:
            super().protocol_connected(protocol)
            if isinstance(protocol, WebSocketProtocol):
                # Its clocks are set just after this: looked at on the next pass.
                self._look_at(protocol, time.time())
                if gc_pacer is not None:
                    gc_pacer.opened()
            else:
                self._others.add(protocol)

        def _look_at(self, protocol: Any, when: float) -> None:
            heapq.heappush(self._sockets_due, (when, next(self._ties), protocol))

        def timeout_checker(self) -> None:
            from twisted.internet import reactor

            now = time.time()
            for protocol in list(self._others):
                if protocol in self.connections:
                    protocol.check_timeouts()
                else:
                    self._others.discard(protocol)
            due = self._sockets_due
            while due and due[0][0] <= now:
                _, _, protocol = heapq.heappop(due)
                details = self.connections.get(protocol)
                if details is None or "disconnected" in details:
                    continue  # gone: daphne's application checker reaps it
                protocol.check_timeouts()
                self._look_at(protocol, self._next_look(protocol, now))
            cast(Any, reactor).callLater(2, self.timeout_checker)

        def _next_look(self, protocol: Any, now: float) -> float:
            """When `check_timeouts` can next find something to do; always
            after `now`, so one pass looks at a socket at most once."""
            opened = getattr(protocol, "socket_opened", now)
            if protocol.state == protocol.STATE_CONNECTING:
                when = min(now + 2, opened + self.websocket_connect_timeout)
            elif protocol.state != protocol.STATE_OPEN:
                when = now + 2  # closing: daphne looked every pass
            else:
                # A message from the client since moves its ping on: looked
                # at then, and put back for the new time.
                when = getattr(protocol, "last_ping", now) + self.ping_interval
                if self.websocket_timeout >= 0:
                    when = min(when, opened + self.websocket_timeout)
            return max(when, now + 0.001)

        def create_application(self, protocol: Any, scope: dict) -> Any:
            if direct_sends and isinstance(protocol, BoundedWebSocketProtocol):
                scope[DIRECT_SEND] = protocol.send_text_now
            queue = super().create_application(protocol, scope)
            instance = self.connections.get(protocol, {}).get("application_instance")
            if instance is not None:
                instance.add_done_callback(lambda _: self._check_later(protocol))
            return queue

        def protocol_disconnected(self, protocol: Any) -> None:
            super().protocol_disconnected(protocol)
            self._check_later(protocol)
            if gc_pacer is not None and isinstance(protocol, WebSocketProtocol):
                gc_pacer.closed_one()

        def _check_later(self, protocol: Any) -> None:
            self._to_check.add(protocol)

        def application_checker(self) -> None:
            everyone = self.connections
            due, self._to_check = self._to_check, set()
            # daphne's pass over just these: it reaps them from this dict
            # (their details are the same objects as in `everyone`).
            checked = {p: everyone[p] for p in due if p in everyone}
            self.connections = dict(checked)
            try:
                super().application_checker()
            finally:
                reaped = checked.keys() - self.connections.keys()
                self.connections = everyone
            for protocol in reaped:
                everyone.pop(protocol, None)
            for protocol, details in checked.items():
                # Gone, and its application not finished yet: look again
                # (daphne cancels it after application_close_timeout).
                if protocol not in reaped and "disconnected" in details:
                    self._to_check.add(protocol)

    return LeanServer


def behind_proxies(application: Any, *, proxy_headers: bool) -> Any:
    """`application` reading forwarded headers from trusted proxies only.

    daphne's own proxy support believes the left-most `X-Forwarded-For`
    value, which the client writes (realtime.forwarded). The proxies are
    SEAT_TRUSTED_PROXIES, else loopback with `--proxy-headers`, else none.
    """
    trusted = settings.SEAT_TRUSTED_PROXIES or (LOOPBACK if proxy_headers else ())
    if not trusted:
        return application
    return ForwardedClient(application, TrustedProxies(networks(trusted)))


def serving_loop() -> asyncio.AbstractEventLoop:
    """The asyncio loop daphne's Twisted reactor runs on."""
    from daphne.server import twisted_loop
    from twisted.internet import reactor

    # The reactor daphne installed owns the loop; fall back to daphne's own.
    return getattr(reactor, "_asyncioEventloop", twisted_loop)


def serve(
    *,
    host: str,
    port: int,
    proxy_headers: bool,
    start_workers: Callable[[], InProcess],
    on_ready: Callable[[str], None],
) -> bool:
    """Serve until stopped; returns False if daphne could not start."""
    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server

    application = get_default_application()
    set_server_loop(serving_loop())
    # The loop's database connections are ready before the first click of
    # a sale, not opened (and the driver loaded) in its busiest second.
    loop_db.preload()
    warming = serving_loop().create_task(loop_db.warm())
    workers = start_workers()
    install_backpressure(frames_once=settings.SEAT_WS_FRAMES_ONCE)
    bound_idle_http(settings.SEAT_HTTP_IDLE_SECONDS)
    bound_request_http(settings.SEAT_HTTP_REQUEST_SECONDS)
    bound_body_http(settings.SEAT_HTTP_MAX_BODY_BYTES)
    on_ready(backends_summary())
    # Everything loaded so far lives as long as the process: keep the
    # cyclic GC from rescanning it, which shows up as latency spikes in
    # broadcasts to thousands of sockets.
    gc.collect()
    gc.freeze()
    # Then what each socket brings is frozen too, and collected in rare
    # full passes (SEAT_GC_PACING=0: CPython's own pacing).
    pacer = GcPacer(serving_loop()) if settings.SEAT_GC_PACING else None
    application = behind_proxies(application, proxy_headers=proxy_headers)
    # Off with SEAT_WS_FRAMES_ONCE=0: every frame the per-socket ASGI way.
    server = lean_server(
        Server, direct_sends=settings.SEAT_WS_FRAMES_ONCE, gc_pacer=pacer
    )(
        application=application,
        endpoints=build_endpoint_description_strings(host=host, port=port),
    )
    try:
        server.run()
    finally:
        if not warming.done() and not warming.get_loop().is_closed():
            warming.cancel()
        if pacer is not None:
            pacer.stop()
        workers.stop()
        set_server_loop(None)
    return not server.abort_start
