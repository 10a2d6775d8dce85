"""The REST API and the live seat map: an API change is seen by every open map,
and a browser's hold can be handed to the shop's backend by its token.

Through the real ASGI stack (tests/realtime/conftest.py), with the API called
by Django's test client in a thread, as a request on a worker would run.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from seats.models import Booking, Hold, Seat
from tests.api.rest import Api, problem
from tests.contracts.asyncapi import server_frame

# The realtime suite's autouse fixtures: no heartbeats, the test's loop serves.
from tests.realtime.conftest import (  # noqa: F401
    Client,
    no_heartbeats,
    serving_loop,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


class Recording(Client):
    """A seat-map client that keeps every raw text frame it receives."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.texts: list[str] = []

    async def _receive(self, timeout: float) -> dict:
        text = await self.ws.receive_from(timeout=timeout)
        self.texts.append(text)
        return server_frame(text)

    async def recv(self, timeout: float = 2) -> dict:
        if self.pending:
            return self.pending.pop(0)
        return await self._receive(timeout)

    async def request(self, message: dict) -> dict:
        await self.send(message)
        while True:
            reply = await self._receive(2)
            if reply["type"] != "seats.changed":
                return reply
            self.pending.append(reply)


async def connected(event_id: int, **kwargs) -> tuple[Recording, dict]:
    client = Recording(f"/ws/events/{event_id}/", **kwargs)
    ok, _ = await client.connect()
    assert ok
    snapshot = await client.recv()
    assert snapshot["type"] == "snapshot"
    return client, snapshot


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def call(api: Api, method: str, *args, **kwargs):
    """The API call, run in a thread as a sync view runs under ASGI."""
    return sync_to_async(getattr(api, method))(*args, **kwargs)


@database_sync_to_async
def token_of(event_id: int, holder: str) -> str:
    return Hold.objects.get(event_id=event_id, holder=holder).token


@database_sync_to_async
def seat_states(seat_ids: list[int]) -> dict[int, tuple[bool, str]]:
    """Per seat: booked?, and its holder."""
    return {
        s.id: (s.booking_id is not None, s.holder)
        for s in Seat.objects.filter(id__in=seat_ids)
    }


@database_sync_to_async
def booking(reference: str) -> Booking:
    return Booking.objects.get(reference=reference)


async def test_api_changes_are_seen_live_in_order(shop, event, seat_ids):
    watcher, snapshot = await connected(event.id)
    start = snapshot["version"]

    held = await call(shop, "hold", event.id, seat_ids[:2])
    assert held.status_code == 201
    token = held.json()["token"]
    change = await watcher.recv_type("seats.changed")
    assert change["reason"] == "held"
    assert change["version"] == start + 1
    assert [s["id"] for s in change["seats"]] == seat_ids[:2]
    assert {s["status"] for s in change["seats"]} == {"held"}
    assert {when(s["held_until"]) for s in change["seats"]} == {
        when(held.json()["held_until"])
    }

    booked = await call(shop, "book", token)
    assert booked.status_code == 201
    reference = booked.json()["reference"]
    change = await watcher.recv_type("seats.changed")
    assert change["reason"] == "booked"
    assert change["version"] == start + 2
    assert {s["id"]: s["status"] for s in change["seats"]} == {
        seat_ids[0]: "booked",
        seat_ids[1]: "booked",
    }

    cancelled = await call(
        shop, "post", "/bookings/{reference}/cancel", reference=reference
    )
    assert cancelled.status_code == 200
    change = await watcher.recv_type("seats.changed")
    assert change["reason"] == "cancelled"
    assert change["version"] == start + 3
    assert {s["id"]: s["status"] for s in change["seats"]} == {
        seat_ids[0]: "available",
        seat_ids[1]: "available",
    }
    assert all(s["holder"] is None for s in change["seats"])

    # Refusals and reads change nothing, so they announce nothing.
    await call(shop, "post", "/bookings/{reference}/cancel", reference=reference)
    await call(shop, "get", "/events/{event_id}/seats", event_id=event.id)
    problem(await call(shop, "book", token), 404, "hold_not_found")
    assert await watcher.nothing()

    # The hold token is the shop's capability: no frame on the map carries it.
    assert watcher.texts
    assert not [text for text in watcher.texts if token in text]
    await watcher.close()


async def test_api_release_and_extend_are_seen_live(shop, event, seat_ids):
    watcher, snapshot = await connected(event.id)
    token = (await call(shop, "hold", event.id, seat_ids[:3])).json()["token"]
    await watcher.recv_type("seats.changed")

    await call(shop, "post", "/holds/{token}/extend", token=token)
    extended = await watcher.recv_type("seats.changed")
    await call(
        shop, "post", "/holds/{token}/release", {"seat_ids": seat_ids[:1]}, token=token
    )
    released = await watcher.recv_type("seats.changed")
    await call(shop, "delete", "/holds/{token}", token=token)
    rest = await watcher.recv_type("seats.changed")

    assert [extended["reason"], released["reason"], rest["reason"]] == [
        "extended",
        "released",
        "released",
    ]
    assert [extended["version"], released["version"], rest["version"]] == [
        snapshot["version"] + 2,
        snapshot["version"] + 3,
        snapshot["version"] + 4,
    ]
    assert [s["id"] for s in released["seats"]] == seat_ids[:1]
    assert [s["id"] for s in rest["seats"]] == seat_ids[1:3]
    assert not [text for text in watcher.texts if token in text]
    await watcher.close()


async def test_a_re_timed_hold_is_seen_live_with_its_new_expiry(shop, event, seat_ids):
    watcher, snapshot = await connected(event.id)
    token = (await call(shop, "hold", event.id, seat_ids[:2])).json()["token"]
    await watcher.recv_type("seats.changed")

    retimed = await call(
        shop, "post", "/holds/{token}/extend", {"expires_in_minutes": 90}, token=token
    )

    assert retimed.status_code == 200
    change = await watcher.recv_type("seats.changed")
    assert change["reason"] == "extended"
    assert change["version"] == snapshot["version"] + 2
    assert [s["id"] for s in change["seats"]] == seat_ids[:2]
    assert {when(s["held_until"]) for s in change["seats"]} == {
        when(retimed.json()["held_until"])
    }
    # A refused re-timing announces nothing.
    await call(
        shop, "post", "/holds/{token}/extend", {"expires_in_minutes": 0}, token=token
    )
    assert await watcher.nothing()
    await watcher.close()


async def test_a_browser_hold_is_booked_by_the_shop_with_its_token(
    shop, event, seat_ids
):
    cookie, holder = await session_cookie()
    browser, _ = await connected(event.id, cookie=cookie)
    watcher, snapshot = await connected(event.id)

    reply = await browser.request({"type": "hold", "seat_ids": seat_ids[:2]})
    assert reply["type"] == "hold.ok"
    for client in (browser, watcher):
        assert (await client.recv_type("seats.changed"))["reason"] == "held"
    # "Continue to checkout": the shop's backend gets the browser's token.
    token = await token_of(event.id, holder)

    seen = await call(shop, "get", "/holds/{token}", token=token)
    assert [s["id"] for s in seen.json()["seats"]] == seat_ids[:2]
    response = await call(shop, "book", token, external_reference="cart-1")

    assert response.status_code == 201
    assert response.json()["hold_token"] == token
    made = await booking(response.json()["reference"])
    assert (made.hold_token, made.holder) == (token, holder)
    assert await seat_states(seat_ids[:2]) == {
        seat_ids[0]: (True, ""),
        seat_ids[1]: (True, ""),
    }
    for client in (browser, watcher):
        change = await client.recv_type("seats.changed")
        assert change["reason"] == "booked"
        assert change["version"] == snapshot["version"] + 2
        assert {s["status"] for s in change["seats"]} == {"booked"}
    # The browser's own hold is gone with the booking.
    assert (await browser.request({"type": "extend"}))["type"] == "error"
    # Neither the browser nor anyone else was ever sent the token.
    for client in (browser, watcher):
        assert client.texts
        assert not [text for text in client.texts if token in text]
    await browser.close()
    await watcher.close()


async def test_an_api_hold_is_refused_to_a_browser_and_the_other_way(
    shop, event, seat_ids
):
    cookie, _ = await session_cookie()
    browser, _ = await connected(event.id, cookie=cookie)
    assert (await browser.request({"type": "hold", "seat_ids": seat_ids[:1]}))[
        "type"
    ] == "hold.ok"
    await call(shop, "hold", event.id, seat_ids[1:2])
    await browser.recv_type("seats.changed")

    taken = await call(shop, "hold", event.id, seat_ids[:1])
    reply = await browser.request({"type": "hold", "seat_ids": seat_ids[1:2]})

    assert problem(taken, 409, "seats_unavailable")["seat_ids"] == seat_ids[:1]
    assert reply["type"] == "error" and reply["code"] == "seats_unavailable"
    await browser.close()
