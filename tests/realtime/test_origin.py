"""Only the page's own origin (scheme, host AND port) or a listed one gets a socket."""

from __future__ import annotations

import pytest
import websockets
from channels.testing import WebsocketCommunicator
from django.core.exceptions import ImproperlyConfigured

from config.asgi import application
from devtools.processes import live_server
from realtime.origin import OriginCheck
from tests.contracts.asyncapi import server_frame


@pytest.fixture
def origin_settings(settings):
    """Known hosts and no extra origins, whatever the environment says."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "example.com"]
    settings.SEAT_ALLOWED_ORIGINS = []
    return settings


async def handshake(
    event_id: int,
    *,
    origin: str | None,
    host: str | None,
    scheme: str | None = None,
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> bool:
    """Whether a handshake with these headers is accepted (it is closed after)."""
    headers = [(b"host", host.encode())] if host is not None else []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    headers.extend(extra)
    ws = WebsocketCommunicator(application, f"/ws/events/{event_id}/", headers)
    if scheme is not None:
        # Read once, when the application starts at connect().
        ws.scope["scheme"] = scheme
    connected, _ = await ws.connect()
    if connected:
        assert server_frame(await ws.receive_from())["type"] == "snapshot"
        await ws.disconnect()
    return connected


in_process = pytest.mark.django_db(transaction=True)


@in_process
@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("localhost:6666", "http://localhost:6666"),
        ("[::1]:8000", "http://[::1]:8000"),
        # Default ports are made explicit on both sides.
        ("example.com", "http://example.com:80"),
        ("example.com:80", "http://example.com"),
        ("example.com.", "http://EXAMPLE.com"),
    ],
)
async def test_the_page_own_origin_is_allowed(event, origin_settings, host, origin):
    assert await handshake(event.id, origin=origin, host=host)


@in_process
@pytest.mark.parametrize(
    ("host", "origin"),
    [
        # Another port of the same host: another app, another dev server.
        ("127.0.0.1:8000", "http://127.0.0.1:6666"),
        ("localhost:8000", "http://localhost:1"),
        ("127.0.0.1:8000", "http://127.0.0.1"),
        # Another scheme: https is not the origin of a plain ws:// socket.
        ("127.0.0.1:8000", "https://127.0.0.1:8000"),
        ("example.com", "https://example.com"),
        # Another host, allowed or not.
        ("127.0.0.1:8000", "http://localhost:8000"),
        ("127.0.0.1:8000", "http://evil.example:8000"),
        # Equal to Host, but Host itself is not served.
        ("evil.example:8000", "http://evil.example:8000"),
        # Not an origin at all.
        ("127.0.0.1:8000", "null"),
        ("127.0.0.1:8000", ""),
        ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("127.0.0.1:8000", "http://user@127.0.0.1:8000"),
        ("127.0.0.1:8000", "ws://127.0.0.1:8000"),
        ("127.0.0.1:8000", "127.0.0.1:8000"),
    ],
)
async def test_any_other_origin_is_refused(event, origin_settings, host, origin):
    assert not await handshake(event.id, origin=origin, host=host)


@in_process
async def test_a_missing_origin_is_refused(event, origin_settings):
    assert not await handshake(event.id, origin=None, host="127.0.0.1:8000")


@in_process
async def test_a_missing_host_is_refused(event, origin_settings):
    assert not await handshake(event.id, origin="http://127.0.0.1:8000", host=None)


@in_process
async def test_two_origin_headers_are_refused(event, origin_settings):
    second = ((b"origin", b"http://evil.example"),)
    assert not await handshake(
        event.id, origin="http://127.0.0.1:8000", host="127.0.0.1:8000", extra=second
    )


@in_process
async def test_a_secure_socket_takes_https_origins_only(event, origin_settings):
    host = "example.com"
    assert await handshake(
        event.id, origin="https://example.com", host=host, scheme="wss"
    )
    assert not await handshake(
        event.id, origin="http://example.com", host=host, scheme="wss"
    )


@in_process
async def test_behind_a_tls_proxy_the_forwarded_scheme_counts(event, origin_settings):
    # nginx terminating TLS: plain ws to daphne, X-Forwarded-Proto: https.
    https = ((b"x-forwarded-proto", b"https"),)
    host = "example.com"
    assert await handshake(
        event.id, origin="https://example.com", host=host, extra=https
    )
    assert not await handshake(
        event.id, origin="http://example.com", host=host, extra=https
    )


@in_process
async def test_a_listed_origin_is_allowed_from_any_host(event, origin_settings):
    origin_settings.SEAT_ALLOWED_ORIGINS = ["https://kiosk.example.org"]
    host = "127.0.0.1:8000"
    for listed in ("https://kiosk.example.org", "https://kiosk.example.org:443"):
        assert await handshake(event.id, origin=listed, host=host)
    for unlisted in ("http://kiosk.example.org", "https://kiosk.example.org:8443"):
        assert not await handshake(event.id, origin=unlisted, host=host)
    # The page's own origin still works beside the list.
    assert await handshake(event.id, origin="http://127.0.0.1:8000", host=host)


def test_a_malformed_allowed_origin_stops_start_up(origin_settings):
    origin_settings.SEAT_ALLOWED_ORIGINS = ["https://kiosk.example.org/"]
    with pytest.raises(ImproperlyConfigured, match="kiosk.example.org/"):
        OriginCheck(application)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("origin")) as server:
        yield server


async def open_seat_map(port: int, origin: str, **kwargs) -> str:
    """The first frame's type on a real socket to event 1 with `origin`."""
    url = f"ws://127.0.0.1:{port}/ws/events/1/"
    async with websockets.connect(url, origin=origin, proxy=None, **kwargs) as ws:
        return server_frame(await ws.recv())["type"]


async def test_a_real_server_allows_its_own_origin_only(server):
    port = server.worker.port
    assert await open_seat_map(port, f"http://127.0.0.1:{port}") == "snapshot"
    for foreign in (
        f"http://127.0.0.1:{port + 1}",
        f"https://127.0.0.1:{port}",
        f"http://localhost:{port}",
    ):
        with pytest.raises(websockets.InvalidStatus) as refused:
            await open_seat_map(port, foreign)
        assert refused.value.response.status_code == 403


async def test_a_real_server_takes_the_scheme_from_a_tls_proxy(server):
    # daphne puts no scheme in a WebSocket scope: the header must be read.
    port = server.worker.port
    https = {"X-Forwarded-Proto": "https"}
    origin = f"https://127.0.0.1:{port}"
    assert await open_seat_map(port, origin, additional_headers=https) == "snapshot"
