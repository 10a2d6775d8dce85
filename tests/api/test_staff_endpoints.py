"""The staff endpoints (api/staff.py): staff only, CSRF on, answers by schema."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from seats import services
from seats.models import Activity, BookedSeat, Booking, Seat, WaitingRoom
from seats.timefmt import iso

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA = json.loads(
    (Path(settings.BASE_DIR) / "docs" / "staff.schema.json").read_text()
)


def answer(response) -> dict:
    """The JSON answer, checked against docs/staff.schema.json."""
    document = response.json()
    jsonschema.validate(document, SCHEMA)
    return document


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("sam", password="pw", is_staff=True))
    return client


def post(client: Client, url: str, body: object) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


def urls(event_id: int, seat_id: int, reference: str) -> list[tuple[str, str, dict]]:
    base = f"/api/staff/events/{event_id}"
    return [
        ("post", f"{base}/block", {"seat_ids": [seat_id], "reason": "x"}),
        ("post", f"{base}/unblock", {"seat_ids": [seat_id]}),
        ("post", f"{base}/release", {"seat_ids": [seat_id]}),
        ("post", f"{base}/sell", {"seat_ids": [seat_id], "customer_name": "x"}),
        ("post", f"/api/staff/bookings/{reference}/cancel", {}),
        ("post", f"{base}/cancel", {"seat_ids": [seat_id]}),
        ("get", f"{base}/seats/{seat_id}/history", {}),
        ("get", f"{base}/report", {}),
        ("get", f"{base}/bookings.csv", {}),
        ("get", f"{base}/waiting-room", {}),
        ("post", f"{base}/waiting-room", {"enabled": True}),
    ]


@pytest.fixture
def booked(event, seat_ids) -> str:
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=seat_ids[-1:])
    return services.book_seats(
        event_id=event.id, holder="h1", seat_ids=seat_ids[-1:]
    ).reference


@pytest.mark.parametrize("who", ["anonymous", "customer", "inactive staff"])
def test_nobody_but_staff_gets_in_and_nothing_changes(who, event, seat_ids, booked):
    client = Client()
    if who == "customer":
        client.force_login(User.objects.create_user("cus", password="pw"))
    elif who == "inactive staff":
        user = User.objects.create_user("old", password="pw", is_staff=True)
        client.force_login(user)
        user.is_active = False
        user.save()
    before = Activity.objects.count()
    for method, url, body in urls(event.id, seat_ids[0], booked):
        if method == "post":
            response = post(client, url, body)
        else:
            response = client.get(url)
        assert response.status_code == 403, url
        assert answer(response)["error"] == "forbidden"
    assert Activity.objects.count() == before
    assert not Seat.objects.filter(blocked=True).exists()
    assert not WaitingRoom.objects.exists()


def test_posts_need_the_csrf_token(event, seat_ids):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_user("sam", password="pw", is_staff=True))
    url = f"/api/staff/events/{event.id}/block"
    body = {"seat_ids": seat_ids[:1], "reason": "house"}
    assert post(client, url, body).status_code == 403
    assert not Seat.objects.filter(blocked=True).exists()
    client.get("/dashboard/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(
        url, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200
    assert answer(accepted) == {"type": "blocked", "seat_ids": seat_ids[:1]}


def test_block_a_row_then_unblock_it(staff_client, event, seat_ids):
    url = f"/api/staff/events/{event.id}"
    blocked = answer(
        post(staff_client, f"{url}/block", {"row": "A", "reason": "press"})
    )
    row_a = list(
        Seat.objects.filter(event=event, row="A")
        .order_by("pk")
        .values_list("id", flat=True)
    )
    assert blocked["seat_ids"] == row_a
    assert set(
        Activity.objects.filter(kind="blocked").values_list("staff", flat=True)
    ) == {"sam"}
    history = answer(staff_client.get(f"{url}/seats/{row_a[0]}/history"))
    assert history["seat"]["status"] == "blocked"
    assert history["seat"]["blocked_reason"] == "press"
    assert history["entries"][0]["kind"] == "blocked"
    assert history["entries"][0]["staff"] == "sam"
    freed = answer(post(staff_client, f"{url}/unblock", {"row": "A"}))
    assert freed["seat_ids"] == row_a


def test_errors_are_documents_with_the_right_status(staff_client, event, seat_ids):
    url = f"/api/staff/events/{event.id}"
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=seat_ids[:1])
    cases = [
        (f"{url}/block", {"seat_ids": seat_ids[:1], "reason": "x"}, 409, "seats_held"),
        (f"{url}/block", {"seat_ids": seat_ids[1:2]}, 400, "bad_request"),
        (f"{url}/block", {"seat_ids": "1", "reason": "x"}, 400, "bad_request"),
        (f"{url}/block", [1, 2], 400, "bad_request"),
        (f"{url}/block", {"row": "Q", "reason": "x"}, 400, "bad_request"),
        (f"{url}/block", {"seat_ids": [999999], "reason": "x"}, 404, "unknown_seat"),
        (f"{url}/block", {"seat_ids": [2**63], "reason": "x"}, 400, "bad_request"),
        (f"{url}/block", {"seat_ids": [1], "reason": "a\x00b"}, 400, "bad_request"),
        (f"{url}/block", {"row": "A\x00", "reason": "x"}, 400, "bad_request"),
        # Lone surrogates (JSON's "\ud800") cannot be stored as text.
        (
            f"{url}/block",
            {"seat_ids": seat_ids[1:2], "reason": "\ud800"},
            400,
            "bad_request",
        ),
        (f"{url}/block", {"row": "\udfff", "reason": "x"}, 400, "bad_request"),
        (
            f"{url}/sell",
            {"seat_ids": seat_ids[1:2], "customer_name": "A\ud800"},
            400,
            "bad_request",
        ),
        (
            f"{url}/sell",
            {"seat_ids": seat_ids[:1], "customer_name": "x"},
            409,
            "seats_held",
        ),
        (f"{url}/sell", {"seat_ids": seat_ids[1:2]}, 400, "bad_request"),
        (f"{url}/release", {"seat_ids": seat_ids[1:2]}, 400, "bad_request"),
        ("/api/staff/events/999999/block", {"row": "A", "reason": "x"}, 404, None),
        ("/api/staff/bookings/BK-NOPE/cancel", {}, 404, "booking_not_found"),
    ]
    for target, body, status, code in cases:
        response = post(staff_client, target, body)
        assert response.status_code == status, (target, body, response.content)
        document = answer(response)
        if code:
            assert document["code"] == code
    malformed = staff_client.post(
        f"{url}/block", b"{not json", content_type="application/json"
    )
    assert malformed.status_code == 400
    deep = staff_client.post(
        f"{url}/block", "[" * 3000, content_type="application/json"
    )
    assert deep.status_code == 400 and answer(deep)["code"] == "bad_request"
    assert staff_client.get(f"{url}/seats/999999/history").status_code == 404
    assert Seat.objects.get(pk=seat_ids[0]).holder == "h1"  # nothing changed
    assert not Seat.objects.filter(blocked=True).exists()


def test_release_a_holders_whole_hold(staff_client, event, seat_ids):
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=seat_ids[:2])
    done = answer(
        post(staff_client, f"/api/staff/events/{event.id}/release", {"holder": "h1"})
    )
    assert done == {"type": "released", "seat_ids": seat_ids[:2]}
    assert not Seat.objects.filter(holder="h1").exists()


def test_sell_at_the_box_office_cancel_one_and_export(staff_client, event, seat_ids):
    url = f"/api/staff/events/{event.id}"
    sold = answer(
        post(
            staff_client,
            f"{url}/sell",
            {
                "seat_ids": seat_ids[:2],
                "customer_name": "=Walk In",
                "payment_note": "card",
            },
        )
    )
    reference = sold["booking"]
    page = staff_client.get(sold["confirmation_url"])
    assert page.status_code == 200
    labels = list(
        Seat.objects.filter(pk__in=seat_ids[:2]).values_list("label", flat=True)
    )
    for text in [reference, "card", "sam", *labels]:
        assert text in page.content.decode()
    assert Client().get(sold["confirmation_url"]).status_code == 302  # to login

    cancelled = answer(
        post(
            staff_client,
            f"/api/staff/bookings/{reference}/cancel",
            {"seat_ids": seat_ids[:1]},
        )
    )
    assert cancelled == {
        "type": "cancelled",
        "booking": reference,
        "cancelled": False,
        "seat_ids": seat_ids[1:2],
    }
    report = answer(staff_client.get(f"{url}/report"))
    assert report["totals"]["booked"] == 1
    refused = post(staff_client, f"{url}/cancel", {"seat_ids": seat_ids[:2]})
    assert refused.status_code == 400  # seat_ids[0] is no longer booked
    assert answer(refused)["seat_ids"] == seat_ids[:1]

    export = staff_client.get(f"{url}/bookings.csv")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    [row] = rows
    booking = Booking.objects.get(reference=reference)
    seat = Seat.objects.select_related("category").get(pk=seat_ids[1])
    assert row["reference"] == reference
    assert row["channel"] == "box_office"
    assert row["customer_name"] == "'=Walk In"  # never a formula
    assert row["seats"] == seat.label
    # A label from an imported plan is not trusted either.
    hostile = '=HYPERLINK("http://x.example")'
    BookedSeat.objects.filter(seat_id__in=seat_ids[:2]).update(label=hostile)
    export = staff_client.get(f"{url}/bookings.csv")
    [row] = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert row["seats"] == """'=HYPERLINK("http://x.example")"""
    assert row["categories"] == seat.category.code
    assert row["total"] == f"{seat.category.price:.2f}" == report["revenue"]
    assert row["sold_by"] == "sam" and row["payment_note"] == "card"
    assert booking.channel == "box_office"
    # The cancelled seat stays on the line, with its time and refund.
    first = BookedSeat.objects.select_related("booking").get(seat_id=seat_ids[0])
    assert row["cancelled_seats"] == """'=HYPERLINK("http://x.example")"""
    assert row["cancelled_seat_times"] == iso(first.cancelled_at)
    assert row["refunds"] == f"{first.price:.2f}" == row["refunded_total"]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_posts_are_post_only(staff_client, event, method):
    response = getattr(staff_client, method)(f"/api/staff/events/{event.id}/block")
    assert response.status_code == 405


def test_staff_run_the_waiting_room(staff_client, event):
    url = f"/api/staff/events/{event.id}/waiting-room"
    assert answer(staff_client.get(url)) == {
        "type": "waiting_room",
        "event": event.id,
        "room": None,
    }
    settings = {
        "enabled": True,
        "opens_at": "2026-12-01T10:00:00+01:00",
        "rate_per_minute": 2,
        "max_admitted": 5,
        "shopping_seconds": 300,
    }
    room = answer(post(staff_client, url, settings))["room"]
    assert room["enabled"] and not room["paused"]
    assert room["opens_at"] == "2026-12-01T09:00:00.000Z"
    assert (room["rate_per_minute"], room["waiting"], room["admitted"]) == (2, 0, 0)
    paused = answer(post(staff_client, url, {"paused": True, "rate_per_minute": 30}))
    assert paused["room"]["paused"] and paused["room"]["rate_per_minute"] == 30
    for bad in (
        {"rate_per_minute": -1},
        {"rate_per_minute": "2"},
        {"shopping_seconds": 5},
        {"opens_at": "tomorrow"},
        {"opens_at": "2026-12-01T10:00:00"},  # no offset
        {"enabled": "yes"},
    ):
        refused = post(staff_client, url, bad)
        assert refused.status_code == 400, bad
        assert answer(refused)["code"] == "bad_request"
    assert WaitingRoom.objects.get().rate_per_minute == 30  # nothing changed
    assert staff_client.delete(url).status_code == 405
    assert staff_client.get("/api/staff/events/99999/waiting-room").status_code == 404
