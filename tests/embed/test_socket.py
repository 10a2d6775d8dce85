"""/ws/embed/v1/events/<id>/: the seat map in a shop's page, per publishable key."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from api.keys import create_key
from api.models import ApiKey
from embed import visitors
from tests.api.rest import Api
from tests.embed.conftest import SHOP, new_key
from tests.realtime.conftest import Client, event_client, session_cookie

in_process = pytest.mark.django_db(transaction=True)
SHOP_ORIGIN = (b"origin", SHOP.encode())


@database_sync_to_async
def a_key(**kwargs):
    return new_key(**kwargs)


@database_sync_to_async
def a_visitor(key) -> str:
    return visitors.visitor_session(key, None)[1]


def embed_client(event_id, key, visitor=None, origin=SHOP_ORIGIN) -> Client:
    query = f"key={key}" + (f"&visitor={visitor}" if visitor is not None else "")
    return Client(f"/ws/embed/v1/events/{event_id}/?{query}", origin=origin)


async def connected(event_id, key, visitor) -> tuple[Client, dict]:
    client = embed_client(event_id, key, visitor)
    assert (await client.connect())[0]
    snapshot = await client.recv()
    # Always the live snapshot: the widget draws from the linked layout.
    assert snapshot["type"] == "snapshot.live", snapshot
    return client, snapshot


async def closed_with(client: Client) -> int:
    accepted, _ = await client.connect()
    assert accepted  # accepted only to say why
    return await client.closed_with()


@in_process
async def test_refusals_close_with_their_codes(event, other_event):
    key = await a_key(events=[event.id])
    other = await a_key(name="other")
    mine = await a_visitor(key)
    theirs = await a_visitor(other)
    evil = (b"origin", b"https://evil.example")
    assert await closed_with(embed_client(event.id, "pk_nope", mine)) == 4401
    assert await closed_with(embed_client(event.id, key.key, mine, evil)) == 4403
    assert await closed_with(embed_client(event.id, key.key, mine, None)) == 4403
    assert await closed_with(embed_client(other_event.id, key.key, mine)) == 4404
    assert await closed_with(embed_client(2**70, key.key, mine)) == 4404
    assert await closed_with(embed_client(event.id, key.key, None)) == 4440
    assert await closed_with(embed_client(event.id, key.key, theirs)) == 4440
    # A browser's own session is never a visitor, even with its cookie.
    cookie, _ = await session_cookie()
    token = cookie.split("=", 1)[1]
    assert await closed_with(embed_client(event.id, key.key, token)) == 4440
    assert await closed_with(Client("/ws/embed/v1/events/x/", origin=evil)) == 4404


@in_process
async def test_the_ordinary_socket_still_refuses_other_origins(event):
    await a_key()
    client = Client(f"/ws/events/{event.id}/", origin=(b"origin", SHOP.encode()))
    assert (await client.connect())[0] is False


@in_process
async def test_a_visitor_holds_and_sees_its_hold_again(event, seat_ids):
    key = await a_key()
    visitor = await a_visitor(key)
    client, snapshot = await connected(event.id, key.key, visitor)
    assert snapshot["hold"] is None
    reply = await client.request(
        {"type": "hold", "seat_ids": seat_ids[:2], "request_id": 1}
    )
    assert reply["type"] == "hold.ok" and reply["seat_ids"] == seat_ids[:2]
    you = snapshot["you"]
    await client.close()
    # The holder is the visitor's session, not the connection: it survives.
    again, snapshot = await connected(event.id, key.key, visitor)
    assert snapshot["you"] == you
    assert snapshot["hold"]["seat_ids"] == seat_ids[:2]
    extended = await again.request({"type": "extend", "request_id": 2})
    assert extended["type"] == "extend.ok"
    released = await again.request(
        {"type": "release", "seat_ids": seat_ids[1:2], "request_id": 3}
    )
    assert released["type"] == "release.ok"
    await again.close()


@in_process
async def test_book_is_refused_and_changes_nothing(event, seat_ids):
    key = await a_key()
    client, _ = await connected(event.id, key.key, await a_visitor(key))
    await client.request({"type": "hold", "seat_ids": seat_ids[:1]})
    reply = await client.request(
        {"type": "book", "seat_ids": seat_ids[:1], "request_id": "b"}
    )
    assert reply == {
        "type": "error",
        "code": "embed_cannot_book",
        "message": "Seats are booked by the shop after payment.",
        "seat_ids": [],
        "request_id": "b",
    }
    snapshot = await client.request({"type": "snapshot"})
    assert snapshot["booked"] == [] and snapshot["hold"]["seat_ids"] == seat_ids[:1]
    await client.close()


@database_sync_to_async
def read_hold(token: str):
    _, sell = create_key("shop", ApiKey.Scope.SELL)
    return Api(sell).get("/holds/{token}", token=token)


@in_process
async def test_handoff_gives_the_token_the_shop_reads(event, seat_ids):
    key = await a_key()
    client, _ = await connected(event.id, key.key, await a_visitor(key))
    none = await client.request({"type": "handoff", "request_id": 1})
    assert none["type"] == "error" and none["code"] == "no_hold"
    held = await client.request({"type": "hold", "seat_ids": seat_ids[:3]})
    reply = await client.request({"type": "handoff", "request_id": 2})
    assert reply["type"] == "handoff" and reply["request_id"] == 2
    assert reply["seat_ids"] == seat_ids[:3]
    assert reply["held_until"] == held["held_until"]
    response = await read_hold(reply["hold_token"])
    assert response.status_code == 200, response.content
    assert sorted(s["id"] for s in response.json()["seats"]) == seat_ids[:3]
    await client.close()


@in_process
async def test_handoff_on_the_ordinary_socket_is_an_unknown_type(event, seat_ids):
    cookie, _ = await session_cookie()
    client, _ = await event_client(event.id, cookie=cookie)
    await client.request({"type": "hold", "seat_ids": seat_ids[:1]})
    reply = await client.request({"type": "handoff", "request_id": 1})
    unknown = await client.request({"type": "nope", "request_id": 1})
    assert reply["type"] == "error" and reply["code"] == "bad_request"
    assert "hold_token" not in reply
    assert reply["message"] == unknown["message"].replace("'nope'", "'handoff'")
    await client.close()


@in_process
async def test_a_revoked_key_closes_new_sockets(event):
    key = await a_key()
    visitor = await a_visitor(key)
    key.revoked_at = timezone.now()
    await database_sync_to_async(key.save)()
    assert await closed_with(embed_client(event.id, key.key, visitor)) == 4401
