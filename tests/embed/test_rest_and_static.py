"""Publishable keys on the REST API (read events only), and the public files
a shop's page loads from us (CORS)."""

from __future__ import annotations

import pytest
from channels.testing import HttpCommunicator
from django.utils import timezone

from config.asgi import application
from seats import layouts
from tests.api.rest import Api, problem
from tests.embed.conftest import SHOP, new_key


@pytest.fixture
def issued(event, other_event):
    """A key issued for `event` only."""
    return new_key(events=[event.id])


def test_a_pk_lists_only_the_events_it_is_issued_for(issued, event, other_event):
    listed = Api(issued.key).get("/events")
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()["events"]] == [event.id]
    every = Api(new_key(name="all").key).get("/events")
    assert {e["id"] for e in every.json()["events"]} == {event.id, other_event.id}


def test_a_pk_reads_its_event_and_nothing_else(issued, event, other_event):
    api = Api(issued.key)
    assert api.get("/events/{event_id}", event_id=event.id).status_code == 200
    assert api.get("/events/{event_id}/seats", event_id=event.id).status_code == 200
    # Not issued for it: exactly as an unknown event.
    for route in ("/events/{event_id}", "/events/{event_id}/seats"):
        theirs = problem(api.get(route, event_id=other_event.id), 404, "not_found")
        unknown = problem(api.get(route, event_id=999_999), 404, "not_found")
        assert theirs == unknown


def test_a_pk_never_writes_nor_reads_holds_and_bookings(issued, event, seat_ids, shop):
    token = shop.hold_token(event.id, seat_ids[:1])
    api = Api(issued.key)
    refusals = [
        api.hold(event.id, seat_ids[1:2]),
        api.post("/holds/{token}/extend", token=token),
        api.post("/holds/{token}/release", {"seat_ids": seat_ids[:1]}, token=token),
        api.delete("/holds/{token}", token=token),
        api.book(token),
        api.hold(event.id, seat_ids[1:2], headers={"Idempotency-Key": "k1"}),
        api.get("/holds/{token}", token=token),
        api.get("/bookings/{reference}", reference="BK-NOPE"),
    ]
    for response in refusals:
        document = problem(response, 403, "publishable_key")
        assert document["detail"].startswith("A publishable key can only read")
    # Nothing changed: the shop's hold is as it was, the seat still free.
    assert (
        shop.get("/holds/{token}", token=token).json()["seats"][0]["id"]
        == (seat_ids[0])
    )
    assert shop.hold(event.id, seat_ids[1:2]).status_code == 201


def test_unknown_or_revoked_pks_are_401(issued, event):
    problem(Api("pk_unknown").get("/events"), 401, "unauthorized")
    issued.revoked_at = timezone.now()
    issued.save()
    problem(Api(issued.key).get("/events"), 401, "unauthorized")
    problem(Api(issued.key).hold(event.id, [1]), 401, "unauthorized")


def test_secret_keys_are_unchanged(reader, shop, event, other_event, seat_ids):
    listed = reader.get("/events").json()["events"]
    assert {e["id"] for e in listed} == {event.id, other_event.id}
    problem(reader.hold(event.id, seat_ids[:1]), 403, "forbidden")
    assert shop.hold(event.id, seat_ids[:1]).status_code == 201


async def get(path: str, origin: str = SHOP) -> dict:
    """The status and headers of a GET through the whole ASGI application."""
    communicator = HttpCommunicator(
        application, "GET", path, headers=[(b"origin", origin.encode())]
    )
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=5)
    assert start["type"] == "http.response.start"
    while (await communicator.receive_output(timeout=5)).get("more_body"):
        pass
    await communicator.wait()
    return {"status": start["status"], "headers": dict(start["headers"])}


@pytest.mark.django_db(transaction=True)
async def test_static_files_are_readable_from_any_origin():
    response = await get("/static/frontend/seatmap/main.js")
    assert response["status"] == 200
    assert response["headers"][b"access-control-allow-origin"] == b"*"
    missing = await get("/static/frontend/no-such-file.js")
    assert missing["status"] == 404
    assert missing["headers"][b"access-control-allow-origin"] == b"*"
    # Not the pages: only what is under STATIC_URL.
    page = await get("/")
    assert b"access-control-allow-origin" not in page["headers"]


def test_layout_documents_are_readable_from_any_origin(client, event):
    layout = layouts.layout_at(event.id, layouts.layout_version(event.id))
    url = f"/api/events/{event.id}/layout/{layout.digest}.json"
    response = client.get(url, headers={"Origin": SHOP})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    stale = client.get(f"/api/events/{event.id}/layout/nope.json")
    assert stale.status_code == 404 and stale["Access-Control-Allow-Origin"] == "*"
