"""The seat-map socket through the real ASGI stack: what each client sees."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from seats import services
from seats.errors import ServerError
from seats.models import Event, Seat
from seats.timefmt import iso
from tests.realtime.conftest import Client, event_client, session_cookie
from wire.frames import public_holder

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def seat_row(seat_id: int) -> Seat:
    return Seat.objects.get(pk=seat_id)


@database_sync_to_async
def event_version(event_id: int) -> int:
    return Event.objects.get(pk=event_id).version


async def test_snapshot_on_connect(event, seat_ids):
    client, snapshot = await event_client(event.id)
    assert snapshot["event"] == event.id
    assert snapshot["version"] == 0
    assert snapshot["you"].startswith("c_")
    assert snapshot["server_time"].endswith("Z")
    assert snapshot["hold"] is None
    assert [s["id"] for s in snapshot["seats"]] == seat_ids
    first = snapshot["seats"][0]
    assert set(first) == {
        "id",
        "label",
        "section",
        "row",
        "number",
        "x",
        "y",
        "category",
        "status",
        "holder",
        "held_until",
        "wheelchair",
        "companion_of",
        "restricted_view",
        "note",
        "channel",
    }
    assert first["channel"] is None
    assert (snapshot["channels"], snapshot["channels_unlocked"]) == ([], [])
    assert first["status"] == "available"
    assert first["holder"] is None and first["held_until"] is None
    assert (first["x"], first["y"]) == (0, 0)  # whole numbers stay integers
    assert type(first["x"]) is int
    assert {c["code"] for c in snapshot["categories"]} == {"premium", "standard"}
    assert snapshot["plan"] == {"name": None, "width": 5, "height": 2, "areas": []}
    await client.close()


async def test_hold_is_seen_by_a_second_client(event, seat_ids):
    a, snap_a = await event_client(event.id)
    b, _ = await event_client(event.id)
    reply = await a.request(
        {"type": "hold", "seat_ids": seat_ids[:2], "request_id": "r1"}
    )
    assert reply["type"] == "hold.ok"
    assert reply["seat_ids"] == seat_ids[:2]
    assert reply["request_id"] == "r1"
    assert reply["held_until"].endswith("Z")

    seen = await b.recv()
    assert seen["type"] == "seats.changed"
    assert seen["reason"] == "held"
    assert seen["version"] == snap_a["version"] + 1
    assert [s["id"] for s in seen["seats"]] == seat_ids[:2]
    assert all(s["status"] == "held" for s in seen["seats"])
    assert {s["holder"] for s in seen["seats"]} == {snap_a["you"]}
    assert seen["seats"][0]["held_until"] == reply["held_until"]
    await a.close()
    await b.close()


async def test_rejected_hold_changes_nothing(event, seat_ids):
    a, _ = await event_client(event.id)
    b, _ = await event_client(event.id)
    await a.request({"type": "hold", "seat_ids": [seat_ids[1]]})
    await a.recv_type("seats.changed")
    await b.recv_type("seats.changed")

    reply = await b.request({"type": "hold", "seat_ids": seat_ids[:3], "request_id": 7})
    assert reply["type"] == "error"
    assert reply["code"] == "seats_unavailable"
    assert reply["seat_ids"] == [seat_ids[1]]
    assert reply["request_id"] == 7
    assert "A2" in reply["message"]
    # A wrongly announced change would reach both after its commit.
    assert all(await asyncio.gather(a.nothing(), b.nothing()))
    assert (await seat_row(seat_ids[0])).holder == ""
    assert await event_version(event.id) == 1
    await a.close()
    await b.close()


async def test_expiry_is_seen_by_both_clients(event, seat_ids):
    a, _ = await event_client(event.id)
    b, _ = await event_client(event.id)
    hold = await a.request({"type": "hold", "seat_ids": seat_ids[:2]})
    for client in (a, b):
        assert (await client.recv_type("seats.changed"))["reason"] == "held"

    # Past its time the seat is free for everyone, even before any sweep.
    after = timezone.now() + timedelta(seconds=event_hold_seconds() + 1)
    late_snapshot = await database_sync_to_async(_seat_map)(event.id, after)
    assert late_snapshot["seats"][0]["status"] == "available"

    released = await database_sync_to_async(services.release_expired)(now=after)
    assert {r.seat_id for r in released} == set(seat_ids[:2])
    for client in (a, b):
        message = await client.recv_type("seats.changed")
        assert message["reason"] == "expired"
        assert message["version"] == 2
        assert {s["id"]: s["status"] for s in message["seats"]} == {
            seat_ids[0]: "available",
            seat_ids[1]: "available",
        }
        assert all(s["holder"] is None for s in message["seats"])
    assert hold["type"] == "hold.ok"
    await a.close()
    await b.close()


def event_hold_seconds() -> int:
    from django.conf import settings

    return settings.SEAT_HOLD_SECONDS


def _seat_map(event_id, now):
    from tests.conftest import snapshot_at

    return snapshot_at(event_id, None, now)


async def test_release_extend_and_book(event, seat_ids, settings, monkeypatch):
    settings.SEAT_HOLD_SECONDS = 60
    settings.SEAT_HOLD_MAX_SECONDS = 600
    # A clock the services read, so the extension's new expiry is exact.
    start = timezone.now()
    clock = {"now": start}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    a, _ = await event_client(event.id)
    b, _ = await event_client(event.id)
    held = await a.request({"type": "hold", "seat_ids": seat_ids[:3]})
    assert held["type"] == "hold.ok"
    assert held["held_until"] == iso(start + timedelta(seconds=60))

    released = await a.request({"type": "release", "seat_ids": [seat_ids[2]]})
    assert released == {"type": "release.ok", "seat_ids": [seat_ids[2]]}

    clock["now"] = start + timedelta(seconds=30)
    extended = await a.request({"type": "extend"})
    assert extended["type"] == "extend.ok"
    assert extended["held_until"] > held["held_until"]
    assert extended["held_until"] == iso(start + timedelta(seconds=90))
    assert extended["max_until"] == held["max_until"]
    await a.send({"type": "snapshot"})
    assert (await a.recv_type("snapshot"))["hold"]["held_until"] == iso(
        start + timedelta(seconds=90)
    )

    booked = await a.request({"type": "book", "seat_ids": seat_ids[:2]})
    assert booked["type"] == "book.ok"
    assert booked["seat_ids"] == seat_ids[:2]
    assert booked["booking"].startswith("BK-")

    reasons = [(await b.recv_type("seats.changed")) for _ in range(4)]
    assert [m["reason"] for m in reasons] == ["held", "released", "extended", "booked"]
    assert [m["version"] for m in reasons] == [1, 2, 3, 4]
    assert {s["held_until"] for s in reasons[2]["seats"]} == {extended["held_until"]}
    assert {s["status"] for s in reasons[-1]["seats"]} == {"booked"}
    await a.close()
    await b.close()


async def test_an_unexpected_failure_is_a_server_error_and_the_socket_lives_on(
    event, seat_ids, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "hold_seats", broken)
    client, snapshot = await event_client(event.id)

    reply = await client.request(
        {"type": "hold", "seat_ids": [seat_ids[0]], "request_id": "r-9"}
    )

    assert reply == {
        "type": "error",
        "code": "server_error",
        "message": ServerError.default_message,
        "seat_ids": [],
        "request_id": "r-9",
    }
    assert "request hold failed" in caplog.text  # logged, with its traceback
    assert "database on fire" in caplog.text
    # The socket still answers, and nothing changed.
    pong = await client.request({"type": "ping", "request_id": 10})
    assert pong["type"] == "pong" and pong["request_id"] == 10
    released = await client.request({"type": "release", "seat_ids": [seat_ids[0]]})
    assert released["code"] == "not_holder"
    assert await event_version(event.id) == snapshot["version"]
    await client.close()


async def test_someone_elses_seats_cannot_be_released_or_booked(event, seat_ids):
    a, _ = await event_client(event.id)
    b, _ = await event_client(event.id)
    await a.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    for kind in ("release", "book"):
        reply = await b.request({"type": kind, "seat_ids": [seat_ids[0]]})
        assert reply["code"] == "not_holder"
        assert reply["seat_ids"] == [seat_ids[0]]
    reply = await b.request({"type": "extend"})
    assert reply["code"] == "not_holder"
    assert (await seat_row(seat_ids[0])).holder.startswith("c_")
    await a.close()
    await b.close()


async def test_a_shop_sold_event_is_not_booked_from_the_map(event, seat_ids):
    """Only the shop books, after payment: the map's `book` is refused."""
    await database_sync_to_async(Event.objects.filter(pk=event.pk).update)(
        checkout_url="https://shop.example/checkout"
    )
    client, _ = await event_client(event.id)
    await client.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    reply = await client.request({"type": "book", "seat_ids": [seat_ids[0]]})
    assert reply["type"] == "error"
    assert reply["code"] == "checkout_required"
    seat = await seat_row(seat_ids[0])
    assert seat.booking_id is None and seat.holder.startswith("c_")
    await client.close()


async def test_book_carries_the_buyer_where_the_event_requires_one(event, seat_ids):
    await database_sync_to_async(Event.objects.filter(pk=event.pk).update)(
        buyer_details="required"
    )
    client, _ = await event_client(event.id)
    await client.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    refused = await client.request({"type": "book", "seat_ids": [seat_ids[0]]})
    assert refused["type"] == "error" and refused["code"] == "bad_request"
    assert refused["message"] == "This event needs the buyer's name and email."
    assert (await seat_row(seat_ids[0])).booking_id is None
    booked = await client.request(
        {
            "type": "book",
            "seat_ids": [seat_ids[0]],
            "customer_name": "Ada Lovelace",
            "customer_email": "ada@example.org",
        }
    )
    assert booked["type"] == "book.ok"
    booking = await database_sync_to_async(
        lambda: Seat.objects.select_related("booking").get(pk=seat_ids[0]).booking
    )()
    assert (booking.customer_name, booking.customer_email) == (
        "Ada Lovelace",
        "ada@example.org",
    )
    await client.close()


async def test_session_decides_the_holder_not_the_client(event, seat_ids):
    cookie, holder = await session_cookie("h_alice")
    tab1, snap1 = await event_client(event.id, cookie=cookie)
    tab2, snap2 = await event_client(event.id, cookie=cookie)
    # Both tabs are one holder; others see only its public id on this event.
    assert snap1["you"] == snap2["you"] == public_holder(event.id, holder)

    reply = await tab1.request(
        {"type": "hold", "seat_ids": [seat_ids[0]], "holder": "h_mallory"}
    )
    assert reply["type"] == "hold.ok"
    assert (await seat_row(seat_ids[0])).holder == holder
    # The other tab of the same browser is the same holder and may release it.
    reply = await tab2.request({"type": "release", "seat_ids": [seat_ids[0]]})
    assert reply["type"] == "release.ok"
    await tab1.close()
    await tab2.close()


async def test_connection_holds_are_released_when_the_socket_closes(event, seat_ids):
    a, _ = await event_client(event.id)
    b, _ = await event_client(event.id)
    await a.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    assert (await b.recv_type("seats.changed"))["reason"] == "held"
    await a.close()
    message = await b.recv_type("seats.changed")
    assert message["reason"] == "released"
    assert message["seats"][0]["status"] == "available"
    assert (await seat_row(seat_ids[0])).holder == ""
    await b.close()


async def test_session_holds_survive_the_socket(event, seat_ids):
    cookie, holder = await session_cookie()
    a, _ = await event_client(event.id, cookie=cookie)
    await a.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    await a.close()
    assert (await seat_row(seat_ids[0])).holder == holder
    again, snapshot = await event_client(event.id, cookie=cookie)
    assert snapshot["hold"]["seat_ids"] == [seat_ids[0]]
    assert snapshot["seats"][0]["holder"] == snapshot["you"]
    assert snapshot["you"] == public_holder(event.id, holder)
    await again.close()


BAD_FRAMES = [
    ("not json", "bad_request"),
    ("[1, 2]", "bad_request"),
    ('{"type": "dance"}', "bad_request"),
    ('{"seat_ids": [1]}', "bad_request"),
    ('{"type": "hold"}', "bad_request"),
    ('{"type": "hold", "seat_ids": []}', "bad_request"),
    ('{"type": "hold", "seat_ids": "1"}', "bad_request"),
    ('{"type": "hold", "seat_ids": [1.5]}', "bad_request"),
    ('{"type": "hold", "seat_ids": [true]}', "bad_request"),
    ('{"type": "hold", "seat_ids": [-1]}', "bad_request"),
    ('{"type": "hold", "seat_ids": [1, 1]}', "bad_request"),
    ('{"type": "hold", "seat_ids": [1], "request_id": {"a": 1}}', "bad_request"),
    ('{"type": "book", "seat_ids": [1], "customer_name": 7}', "bad_request"),
    (
        '{"type": "book", "seat_ids": [1], "customer_email": "' + "a" * 255 + '"}',
        "bad_request",
    ),
    ('{"type": "book", "seat_ids": [1], "customer_name": "A\\u0000"}', "bad_request"),
    ('{"type": "hold", "seat_ids": [999999]}', "unknown_seat"),
    ('{"type": "release", "seat_ids": [999999]}', "unknown_seat"),
    ('{"type": "hold", "seat_ids": [1,2,3,4,5,6,7,8,9,10,11]}', "too_many_seats"),
    ('{"type": "hold", "seat_ids": [' + "1," * 9000 + "1]}", "bad_request"),
]


@pytest.mark.parametrize(("frame", "code"), BAD_FRAMES)
async def test_bad_input_gets_an_error_and_changes_nothing(event, frame, code):
    client, snapshot = await event_client(event.id)
    await client.send_raw(frame)
    reply = await client.recv()
    assert reply["type"] == "error"
    assert reply["code"] == code
    assert isinstance(reply["message"], str) and reply["message"]
    assert isinstance(reply["seat_ids"], list)
    # The connection is still usable and nothing changed.
    assert (await client.request({"type": "ping"}))["type"] == "pong"
    assert await event_version(event.id) == snapshot["version"]
    await client.close()


async def test_binary_frame_is_rejected(event):
    client, _ = await event_client(event.id)
    await client.send_raw(data=b"\x00\x01")
    reply = await client.recv()
    assert reply["code"] == "bad_request"
    await client.close()


async def test_seats_of_another_event_are_unknown_here(make_event, event, seat_ids):
    other = await database_sync_to_async(make_event)(name="Other")
    other_seat = await database_sync_to_async(
        lambda: Seat.objects.filter(event=other).values_list("id", flat=True).first()
    )()
    client, _ = await event_client(event.id)
    reply = await client.request(
        {"type": "hold", "seat_ids": [seat_ids[0], other_seat]}
    )
    assert reply["code"] == "unknown_seat"
    assert reply["seat_ids"] == [other_seat]
    assert (await seat_row(seat_ids[0])).holder == ""
    await client.close()


async def test_unknown_event_closes_with_4404(db):
    client = Client("/ws/events/424242/")
    connected, _ = await client.connect()
    assert connected
    assert await client.closed_with() == 4404


async def test_foreign_origin_is_refused(event):
    client = Client(
        f"/ws/events/{event.id}/", origin=(b"origin", b"http://evil.example")
    )
    connected, _ = await client.connect()
    assert not connected


async def test_snapshot_request_resyncs(event, seat_ids):
    a, _ = await event_client(event.id)
    await a.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    await a.send({"type": "snapshot", "request_id": "again"})
    snapshot = await a.recv_type("snapshot")
    assert snapshot["request_id"] == "again"
    assert snapshot["version"] == 1
    assert snapshot["seats"][0]["status"] == "held"
    assert snapshot["hold"]["seat_ids"] == [seat_ids[0]]
    await a.close()


async def test_versions_are_gap_free_across_clients(event, seat_ids):
    clients = [await event_client(event.id) for _ in range(3)]
    watcher, _ = await event_client(event.id)
    for i, (client, _) in enumerate(clients):
        await client.request({"type": "hold", "seat_ids": [seat_ids[i]]})
    versions = [(await watcher.recv_type("seats.changed"))["version"] for _ in clients]
    assert versions == [1, 2, 3]
    for client, _ in clients:
        await client.close()
    await watcher.close()


async def test_hold_best_holds_adjacent_seats_seen_by_others(event, seat_ids):
    a, _ = await event_client(event.id)
    b, _ = await event_client(event.id)
    reply = await a.request({"type": "hold_best", "count": 3, "request_id": "best"})
    assert reply["type"] == "hold.ok"
    assert reply["request_id"] == "best"
    assert reply["seat_ids"] == seat_ids[1:4]
    seen = await b.recv_type("seats.changed")
    assert [s["id"] for s in seen["seats"]] == seat_ids[1:4]
    await a.close()
    await b.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "hold_best"}, "bad_request"),
        ({"type": "hold_best", "count": "3"}, "bad_request"),
        ({"type": "hold_best", "count": 0}, "bad_request"),
        ({"type": "hold_best", "count": True}, "bad_request"),
        ({"type": "hold_best", "count": 11}, "too_many_seats"),
        ({"type": "hold_best", "count": 2, "category": 5}, "bad_request"),
        ({"type": "hold_best", "count": 2, "category": "balcony"}, "bad_request"),
        ({"type": "hold_best", "count": 6}, "no_adjacent_seats"),
    ],
)
async def test_hold_best_bad_input(event, frame, code):
    client, snapshot = await event_client(event.id)
    reply = await client.request(frame)
    assert reply["type"] == "error"
    assert reply["code"] == code
    assert await event_version(event.id) == snapshot["version"]
    await client.close()


async def test_holder_ids_are_private_and_not_linkable_across_events(
    make_event, event, seat_ids
):
    """Others see a public id per event, never the session's holder id."""
    other_event = await database_sync_to_async(make_event)(name="Second Night")
    cookie, holder = await session_cookie()
    mine, snap = await event_client(event.id, cookie=cookie)
    watcher, _ = await event_client(event.id)
    await mine.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    change = await watcher.recv_type("seats.changed")
    public = change["seats"][0]["holder"]
    assert public == snap["you"] != holder
    there, snap_there = await event_client(other_event.id, cookie=cookie)
    assert snap_there["you"] not in (None, public, holder)
    for client in (mine, watcher, there):
        await client.close()
