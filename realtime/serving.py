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
import logging
from collections.abc import Callable
from typing import Any

from channels.routing import get_default_application
from django.conf import settings

from realtime.hub import set_server_loop
from realtime.transport import install_backpressure
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
    workers = start_workers()
    install_backpressure(frames_once=settings.SEAT_WS_FRAMES_ONCE)
    bound_idle_http(settings.SEAT_HTTP_IDLE_SECONDS)
    on_ready(backends_summary())
    # Everything loaded so far lives as long as the process: keep the
    # cyclic GC from rescanning it, which shows up as latency spikes in
    # broadcasts to thousands of sockets.
    gc.collect()
    gc.freeze()
    forwarded = proxy_headers or None
    server = Server(
        application=application,
        endpoints=build_endpoint_description_strings(host=host, port=port),
        proxy_forwarded_address_header=forwarded and "X-Forwarded-For",
        proxy_forwarded_port_header=forwarded and "X-Forwarded-Port",
        proxy_forwarded_proto_header=forwarded and "X-Forwarded-Proto",
    )
    try:
        server.run()
    finally:
        workers.stop()
        set_server_loop(None)
    return not server.abort_start
