"""`?snapshot=live`: the live state on the socket, the layout as a document."""

from __future__ import annotations

import gzip
import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client as HttpClient
from django.utils import timezone

from realtime import snapshots
from seats import services
from tests.conftest import snapshot_at
from tests.realtime.conftest import Client, event_client, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def expanded(live: dict, layout: dict) -> dict:
    """What a client makes of a live snapshot and its layout: the full snapshot."""
    held = {i: g for g in live["held"] for i in g["seat_ids"]}
    seats = []
    for place in layout["seats"]:
        group = held.get(place["id"])
        status = (
            "booked" if place["id"] in live["booked"]
            else "blocked" if place["id"] in live["blocked"]
            else "held" if group else "available"
        )  # fmt: skip
        seats.append(
            {
                **place,
                "status": status,
                "holder": group["holder"] if group else None,
                "held_until": group["held_until"] if group else None,
            }
        )
    return {"seats": seats, "plan": layout["plan"], "categories": live["categories"]}


def layout_of(url: str) -> dict:
    response = HttpClient().get(url)
    assert response.status_code == 200
    return json.loads(response.content)


async def live_client(event_id: int, cookie: str | None = None) -> tuple[Client, dict]:
    client = Client(f"/ws/events/{event_id}/?snapshot=live", cookie=cookie)
    connected, _ = await client.connect()
    assert connected
    first = await client.recv()
    assert first["type"] == "snapshot.live"
    return client, first


async def test_a_live_snapshot_and_its_layout_make_the_full_snapshot(
    event, seat_ids, hold_settings
):
    await database_sync_to_async(services.hold_seats)(
        event_id=event.id, holder="h_alice", seat_ids=seat_ids[:2]
    )
    await database_sync_to_async(services.book_seats)(
        event_id=event.id, holder="h_alice", seat_ids=seat_ids[:1]
    )
    cookie, me = await session_cookie("h_alice")
    client, live = await live_client(event.id, cookie)
    assert (live["version"], live["booked"], live["blocked"]) == (2, seat_ids[:1], [])
    assert [g["seat_ids"] for g in live["held"]] == [seat_ids[1:2]]
    assert live["hold"]["seat_ids"] == seat_ids[1:2] and live["you"]

    layout = await database_sync_to_async(layout_of)(live["layout"]["url"])
    full = await database_sync_to_async(snapshot_at)(event.id, me, timezone.now())
    mine = expanded(live, layout)
    assert mine["seats"] == full["seats"]
    assert mine["plan"] == full["plan"] and mine["categories"] == full["categories"]
    await client.close()


async def test_viewers_at_one_version_share_its_part_and_a_request_gets_its_id(
    event, seat_ids, hold_settings
):
    snapshots._shared.clear()
    first, a = await live_client(event.id)
    second, b = await live_client(event.id)
    assert len(snapshots._shared) == 1  # built once for the version
    assert a["you"] != b["you"]
    shared = [k for k in a if k not in ("you", "hold", "server_time")]
    assert {k: a[k] for k in shared} == {k: b[k] for k in shared}

    await database_sync_to_async(services.hold_seats)(
        event_id=event.id, holder="h_bob", seat_ids=seat_ids[:1]
    )
    await first.recv_type("seats.changed")
    again = await first.request({"type": "snapshot", "request_id": "r1"})
    assert again["type"] == "snapshot.live" and again["request_id"] == "r1"
    assert again["version"] == 1 and len(snapshots._shared) == 2
    for client in (first, second):
        await client.close()


async def test_without_the_query_the_socket_gets_the_full_snapshot(event):
    client, snapshot = await event_client(event.id)
    assert snapshot["type"] == "snapshot" and len(snapshot["seats"]) == 10
    await client.close()


def test_the_layout_document_is_immutable_cached_gzipped_and_named_by_its_digest(
    event,
):
    from seats import layouts
    from tests.contracts.asyncapi import check_document

    layout = layouts.layout_at(event.id, 0)
    url = f"/api/events/{event.id}/layout/{layout.digest}.json"
    http = HttpClient()
    plain = http.get(url)
    assert plain.status_code == 200 and plain["Content-Type"] == "application/json"
    assert plain["Cache-Control"] == "public, max-age=31536000, immutable"
    assert plain["ETag"] == f'"{layout.digest}"'
    assert "Accept-Encoding" in plain["Vary"] and not plain.cookies
    document = json.loads(plain.content)
    check_document("LayoutDocument", document)
    assert len(document["seats"]) == 10 and document["digest"] == layout.digest

    packed = http.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content)) == document
    assert http.get(url, headers={"If-None-Match": plain["ETag"]}).status_code == 304

    stale = http.get(f"/api/events/{event.id}/layout/{'0' * 20}.json")
    assert stale.status_code == 404 and json.loads(stale.content)["type"] == "error"
    assert http.get(f"/api/events/99999/layout/{layout.digest}.json").status_code == 404
    assert http.post(url).status_code == 405
