"""WebSocket origin check on scheme, host and port.

Channels' AllowedHostsOriginValidator compares host names only, so a page
from another port or scheme of an allowed host (another local app, a dev
server on :6666) could open a socket that carries the visitor's session
cookie. Here an `Origin` passes only if it is listed exactly in
`SEAT_ALLOWED_ORIGINS`, or if it is the handshake's own origin: same scheme
as the connection, same host and port as the `Host` header, and that host in
`ALLOWED_HOSTS`. Anything else, a missing or `null` origin included, is
denied the way Channels denies it: a close before accept, which the server
turns into HTTP 403 at the handshake.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

# Parsing lives with the wire format; kept importable from here.
from wire.origins import Origin, authority_origin, parse_origin

logger = logging.getLogger(__name__)

# The page scheme that goes with the scheme a socket arrived on.
PAGE_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}
# Django's own fallback when DEBUG is on and ALLOWED_HOSTS is empty.
DEBUG_HOSTS = (".localhost", "127.0.0.1", "[::1]")


@lru_cache(maxsize=8)
def _parse_allowed(entries: tuple[str, ...]) -> frozenset[Origin]:
    origins = set()
    for entry in entries:
        origin = parse_origin(entry)
        if origin is None:
            raise ImproperlyConfigured(
                f"SEAT_ALLOWED_ORIGINS: {entry!r} is not an origin of the form "
                "http(s)://host[:port] (no path, no trailing slash)"
            )
        origins.add(origin)
    return frozenset(origins)


def allowed_origins() -> frozenset[Origin]:
    """`settings.SEAT_ALLOWED_ORIGINS` as origins, read now (not at import)."""
    return _parse_allowed(tuple(settings.SEAT_ALLOWED_ORIGINS))


def allowed_hosts() -> list[str]:
    """ALLOWED_HOSTS as Django's own Host check applies it."""
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        return list(DEBUG_HOSTS)
    return hosts


def _headers(scope: dict, name: bytes) -> list[str]:
    return [value.decode("latin1") for key, value in scope["headers"] if key == name]


def connection_scheme(scope: dict) -> str:
    """`http` or `https`: the page scheme that matches how the socket reached us.

    The scope's `scheme` when set (ASGI's default is `ws`): daphne never
    sets it for WebSockets, but a trusted proxy's `X-Forwarded-Proto` does
    (realtime.forwarded). Otherwise the header itself: trusting it admits
    no browser a check would otherwise refuse, because a page cannot add
    headers to a WebSocket handshake and a proxy sets it truthfully; a
    non-browser client can forge `Origin` itself anyway.
    """
    scheme = scope.get("scheme")
    if not scheme:
        forwarded = _headers(scope, b"x-forwarded-proto")
        # A chain of proxies lists the client-facing one first.
        scheme = forwarded[0].split(",")[0].strip() if forwarded else "ws"
    return PAGE_SCHEMES.get(scheme.lower(), "")


def handshake_origin(scope: dict) -> Origin | None:
    """The origin the handshake itself was made to, from its scheme and Host."""
    hosts = _headers(scope, b"host")
    if len(hosts) != 1:
        return None
    return authority_origin(connection_scheme(scope), hosts[0])


def is_allowed(scope: dict) -> bool:
    """True only for an origin listed in SEAT_ALLOWED_ORIGINS or the handshake's own."""
    sent = _headers(scope, b"origin")
    if len(sent) != 1:
        return False
    origin = parse_origin(sent[0])
    if origin is None:
        return False
    if origin in allowed_origins():
        return True
    return origin == handshake_origin(scope) and validate_host(
        origin.host, allowed_hosts()
    )


class _Denier(WebsocketDenier):
    """Channels' denier without a channel-layer channel per refused handshake."""

    # An unconfigured alias: Channels then creates no layer channel (with a
    # Redis layer, every refused probe would otherwise touch Redis).
    channel_layer_alias = "__no_layer__"


class OriginCheck:
    """ASGI middleware: only an allowed origin reaches `application` (module doc)."""

    def __init__(self, application):
        self.application = application
        # A malformed SEAT_ALLOWED_ORIGINS stops start-up instead of failing
        # every handshake later.
        allowed_origins()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("OriginCheck guards WebSocket connections only")
        if is_allowed(scope):
            return await self.application(scope, receive, send)
        logger.warning(
            "refused WebSocket origin %r (Host %r, connection %s)",
            _headers(scope, b"origin"),
            _headers(scope, b"host"),
            connection_scheme(scope) or "unknown scheme",
        )
        return await _Denier()(scope, receive, send)
