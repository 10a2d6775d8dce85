"""Helpers for talking to the real consumers through the real ASGI stack.

Every frame a test receives through `Client` is checked against
docs/asyncapi.yaml (`tests.contracts.asyncapi`), so the suite also proves the
documented contract; frames the tests send are not (some are hostile on purpose).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore

from config.asgi import application
from realtime.hub import set_server_loop
from seats import loop_db
from seats.holders import SESSION_KEY, new_holder_id
from tests.contracts.asyncapi import server_frame

ORIGIN = (b"origin", b"http://127.0.0.1:8000")
# The server the test client talks to, as a browser's handshake names it.
HOST = (b"host", b"127.0.0.1:8000")


class Client:
    """A WebSocket client speaking protocol v1 (JSON frames)."""

    def __init__(self, path: str, *, cookie: str | None = None, origin=ORIGIN):
        headers = [HOST] + ([origin] if origin else [])
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        self.ws = WebsocketCommunicator(application, path, headers=headers)
        # Broadcasts skipped while waiting for a reply, for recv() to return.
        self.pending: list[dict] = []

    async def connect(self) -> tuple[bool, int | None]:
        return await self.ws.connect()

    async def send(self, message: dict) -> None:
        await self.ws.send_to(text_data=json.dumps(message))

    async def send_raw(
        self, text: str | None = None, data: bytes | None = None
    ) -> None:
        await self.ws.send_to(text_data=text, bytes_data=data)

    async def recv(self, timeout: float = 2) -> dict:
        if self.pending:
            return self.pending.pop(0)
        return server_frame(await self.ws.receive_from(timeout=timeout))

    async def recv_type(self, kind: str, timeout: float = 2) -> dict:
        """The next message of `kind`, skipping others (e.g. broadcasts)."""
        while True:
            message = await self.recv(timeout)
            if message["type"] == kind:
                return message

    async def request(self, message: dict) -> dict:
        """Send; return the direct reply (hold.ok, error, ...), keeping broadcasts."""
        await self.send(message)
        while True:
            reply = server_frame(await self.ws.receive_from(timeout=2))
            if reply["type"] != "seats.changed":
                return reply
            self.pending.append(reply)

    async def nothing(self, timeout: float = 1.0) -> bool:
        """No frame arrives within `timeout`: long enough for a wrongly published
        broadcast (after commit, through the layer and the hub) to show up."""
        return not self.pending and await self.ws.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        await self.ws.disconnect()

    async def closed_with(self) -> int:
        output = await self.ws.receive_output(timeout=2)
        assert output["type"] == "websocket.close", output
        return output.get("code")


async def event_client(event_id: int, **kwargs) -> tuple[Client, dict]:
    """A connected client of the event and its first frame (the snapshot)."""
    client = Client(f"/ws/events/{event_id}/", **kwargs)
    connected, _ = await client.connect()
    assert connected
    snapshot = await client.recv()
    assert snapshot["type"] == "snapshot"
    return client, snapshot


def local_sockets(hub, group: str) -> int:
    """How many local sockets the hub serves for `group` (0 once it left it)."""
    known = hub._groups.get(group)
    return len(known.members) if known is not None else 0


def joined(hub, group: str) -> bool:
    """Whether the hub is in the layer's `group` now."""
    from realtime.hub import _joined_ok

    known = hub._groups.get(group)
    return known is not None and _joined_ok(known.joining)


async def eventually(condition, timeout: float = 2.0) -> None:
    """Wait until `condition()` holds, letting the loop run; fail after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"{condition} never held"
        await asyncio.sleep(0.01)


@database_sync_to_async
def session_cookie(holder: str | None = None) -> tuple[str, str]:
    """A stored browser session carrying a holder id; returns (cookie, holder)."""
    session = SessionStore()
    session[SESSION_KEY] = holder or new_holder_id()
    session.create()
    return f"sessionid={session.session_key}", session[SESSION_KEY]


@database_sync_to_async
def staff_cookie(username: str = "sam") -> str:
    """A stored session of a new staff user; returns the cookie."""
    from django.contrib.auth.models import User

    user = User.objects.create_user(username, password="pw", is_staff=True)
    session = SessionStore()
    session[SESSION_KEY] = new_holder_id()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


@pytest.fixture(autouse=True)
def no_heartbeats(settings):
    """Heartbeats off unless a test asks: frames come only from what it does."""
    settings.SEAT_HEARTBEAT_SECONDS = 0


@pytest.fixture(autouse=True)
def every_change_its_own_frame(settings):
    """No broadcast window unless a test asks (test_coalescing does): these
    tests follow each change's frame. Servers the suite starts as processes
    keep the default window."""
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0


@asynccontextmanager
async def serving_on_this_loop() -> AsyncIterator[None]:
    """The running loop serves the sockets, as daphne's loop does in `serve`.

    After, its own database connections (on PostgreSQL) are closed, with a
    turn of the loop for their sockets to close: left open, they keep the
    test database from being dropped at the end of the run.
    """
    set_server_loop(asyncio.get_running_loop())
    try:
        yield
    finally:
        set_server_loop(None)
        loop_db.close_all()
        await asyncio.sleep(0)


@pytest.fixture(autouse=True)
async def serving_loop():
    """The test's loop serves the sockets, as daphne's loop does in `serve`."""
    async with serving_on_this_loop():
        yield


@pytest.fixture
def fast_holds(settings):
    settings.SEAT_HOLD_SECONDS = 1
    settings.SEAT_HOLD_MAX_SECONDS = 3
    settings.SEAT_MAX_PER_HOLDER = 4
    return settings
