"""Events through the REST API: the list, one event, its seat map; the document."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from seats.models import Event, Hold, Seat
from seats.timefmt import iso
from tests.api.rest import (
    JSON_TYPE,
    OPENAPI_URL,
    PREFIX,
    PROBLEM_TYPE,
    Api,
    check_answer,
    openapi,
    problem,
    validate,
)
from tests.conftest import snapshot_at

pytestmark = pytest.mark.django_db

WIRE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def lapse(token: str, seconds: float = 1) -> None:
    """Move a hold's end `seconds` into the past, as time would; no sweeper runs."""
    past = timezone.now() - timedelta(seconds=seconds)
    Hold.objects.filter(token=token).update(expires_at=past)
    Seat.objects.filter(hold__token=token).update(held_until=past)


def test_no_events_is_an_empty_list(reader):
    response = reader.get("/events")

    assert response.status_code == 200
    assert response.json() == {"events": []}


def test_the_list_counts_each_events_seats_as_of_now(shop, reader, make_event):
    first = make_event(name="First")
    second = make_event(name="Second", rows=1, seats_per_row=4)
    seats = list(first.seats.order_by("pk").values_list("id", flat=True))
    shop.hold_token(first.id, seats[:2])
    shop.book(shop.hold_token(first.id, seats[2:3]))
    lapse(shop.hold_token(first.id, seats[3:4]))

    response = reader.get("/events")

    assert response.status_code == 200
    events = response.json()["events"]
    assert [e["id"] for e in events] == [first.id, second.id]
    assert events[0]["name"] == "First"
    assert when(events[0]["starts_at"]) == first.starts_at
    # Four changes: two holds, a booking, and the hold that has since lapsed.
    assert events[0]["version"] == 4
    # The lapsed hold counts as available although nothing swept it.
    assert events[0]["seats"] == {
        "total": 10,
        "available": 7,
        "held": 2,
        "booked": 1,
        "blocked": 0,
    }
    assert events[1]["seats"] == {
        "total": 4,
        "available": 4,
        "held": 0,
        "booked": 0,
        "blocked": 0,
    }
    assert events[1]["version"] == 0


def test_one_event_with_its_counts_and_price_list(shop, reader, event, seat_ids):
    shop.hold_token(event.id, seat_ids[:3])

    response = reader.get("/events/{event_id}", event_id=event.id)

    assert response.status_code == 200
    assert response.json() == {
        "id": event.id,
        "name": "Test Night",
        "starts_at": response.json()["starts_at"],
        "version": 1,
        "seats": {"total": 10, "available": 7, "held": 3, "booked": 0, "blocked": 0},
        "checkout_url": None,
        "categories": [
            {
                "code": "premium",
                "name": "Premium",
                "price": "60.00",
                "currency": "EUR",
                "color": "",
            },
            {
                "code": "standard",
                "name": "Standard",
                "price": "40.00",
                "currency": "EUR",
                "color": "",
            },
        ],
        "layout": response.json()["layout"],
        "standing": [],
    }
    assert when(response.json()["starts_at"]) == event.starts_at
    # The same layout document every live seat map draws from.
    layout = response.json()["layout"]
    assert layout["version"] == 0 and len(layout["digest"]) == 20
    document = Client().get(layout["url"])
    assert document.status_code == 200
    assert document.json()["digest"] == layout["digest"]


def test_an_events_checkout_url_is_shown_when_set(reader, event):
    Event.objects.filter(pk=event.id).update(
        checkout_url="https://shop.example/checkout"
    )

    response = reader.get("/events/{event_id}", event_id=event.id)

    assert response.json()["checkout_url"] == "https://shop.example/checkout"


@pytest.mark.parametrize("template", ["/events/{event_id}", "/events/{event_id}/seats"])
def test_an_unknown_event_is_404(reader, event, template):
    response = reader.get(template, event_id=event.id + 1000)

    document = problem(response, 404, "not_found")
    assert document["seat_ids"] == []


def test_a_non_numeric_event_id_is_refused(reader):
    response = reader.get("/events/{event_id}", event_id="abc")

    document = problem(response, 422, "bad_request")
    assert document["errors"][0]["where"] == "path.event_id"


def test_the_seat_map_is_the_snapshot_nobody_in_particular_sees(
    shop, reader, event, seat_ids
):
    token = shop.hold_token(event.id, seat_ids[:2])
    shop.book(shop.hold_token(event.id, seat_ids[4:5]))

    response = reader.get("/events/{event_id}/seats", event_id=event.id)

    assert response.status_code == 200
    document = response.json()
    at = when(document["server_time"])
    expected = json.loads(json.dumps(snapshot_at(event.id, None, at)))
    assert document == expected
    assert document["type"] == "snapshot"
    assert document["you"] is None and document["hold"] is None
    states = {s["id"]: s["status"] for s in document["seats"]}
    assert [states[i] for i in seat_ids[:5]] == [
        "held",
        "held",
        "available",
        "available",
        "booked",
    ]
    # The map shows who holds (as a public id), never the hold's capability.
    assert token not in response.content.decode()
    assert document["seats"][0]["holder"] is not None


def test_the_seat_map_shows_a_lapsed_hold_as_available(shop, reader, event, seat_ids):
    lapse(shop.hold_token(event.id, seat_ids[:2]))

    response = reader.get("/events/{event_id}/seats", event_id=event.id)

    statuses = {s["id"]: s["status"] for s in response.json()["seats"]}
    assert statuses[seat_ids[0]] == statuses[seat_ids[1]] == "available"


def test_times_are_written_as_on_every_other_channel(shop, reader, event, seat_ids):
    """ISO 8601, UTC, milliseconds and a Z (seats/timefmt.py), as the WebSocket
    frames, the older JSON views and the webhook bodies write them: the same
    moment reads the same wherever a shop reads it."""
    made = shop.hold(event.id, seat_ids[:1]).json()
    booking = shop.book(made["token"]).json()
    listed = reader.get("/events").json()["events"][0]
    detail = reader.get("/events/{event_id}", event_id=event.id).json()
    older = Client().get("/api/events/").json()["events"][0]

    # create_venue starts events on a whole second: no milliseconds to show.
    assert event.starts_at.microsecond == 0
    assert older["starts_at"] == iso(event.starts_at)
    assert listed["starts_at"] == iso(event.starts_at)
    assert detail["starts_at"] == iso(event.starts_at)
    for moment in (made["held_until"], made["max_until"], booking["created_at"]):
        assert WIRE_TIME.fullmatch(moment), moment


# The document and the pages around the routes.


def test_the_document_is_openapi_3_1():
    document = openapi()

    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] == "Seats API"
    assert "Problem" in document["components"]["schemas"]


def test_the_document_has_no_duplicate_keys():
    """JSON objects with a key twice are read differently by different parsers."""
    duplicates = []

    def refuse_duplicates(pairs):
        keys = [key for key, _ in pairs]
        duplicates.extend(sorted({k for k in keys if keys.count(k) > 1}))
        return dict(pairs)

    json.loads(Client().get(OPENAPI_URL).content, object_pairs_hook=refuse_duplicates)

    assert not duplicates, (
        f"keys written twice in one object, {len(duplicates)} times: "
        f"{sorted(set(duplicates))}"
    )


PROBLEM = {
    "type": "urn:seats:problem:unauthorized",
    "title": "Unauthorized",
    "status": 401,
    "detail": "Send a valid API key.",
    "code": "unauthorized",
    "seat_ids": [],
}
MISMATCH = "does not match"
COUNTS = {"total": 1, "available": 1, "held": 0, "booked": 0, "blocked": 0}
EVENT = {"id": 1, "name": "N", "starts_at": "2026-01-01T12:00:00.000Z", "version": 0}


@pytest.mark.parametrize(
    ("status", "body", "content_type", "why"),
    [
        (200, {"events": [{**EVENT, "id": "1", "seats": COUNTS}]}, JSON_TYPE, MISMATCH),
        (200, {"events": [EVENT]}, JSON_TYPE, MISMATCH),
        (200, {}, JSON_TYPE, MISMATCH),
        (200, {"events": []}, PROBLEM_TYPE, "the document lists"),
        (404, {**PROBLEM, "status": 404}, PROBLEM_TYPE, "does not list"),
        (401, PROBLEM, JSON_TYPE, "not application/problem"),
        (
            401,
            {k: v for k, v in PROBLEM.items() if k != "seat_ids"},
            PROBLEM_TYPE,
            MISMATCH,
        ),
    ],
    ids=[
        "wrong type",
        "missing field",
        "missing list",
        "success as a problem",
        "undocumented status",
        "problem as plain json",
        "incomplete problem",
    ],
)
def test_the_checker_refuses_what_the_document_does_not_allow(
    status, body, content_type, why
):
    with pytest.raises(AssertionError, match=why):
        check_answer(openapi(), "GET", "/events", status, body, content_type)


def test_the_checker_takes_what_the_document_allows():
    check_answer(openapi(), "GET", "/events", 200, {"events": []}, JSON_TYPE)
    body = {"events": [{**EVENT, "seats": COUNTS}]}
    check_answer(openapi(), "GET", "/events", 200, body, JSON_TYPE)
    check_answer(openapi(), "GET", "/events", 401, PROBLEM, PROBLEM_TYPE)


def test_every_post_documents_the_idempotency_key():
    for path, operations in openapi()["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", [])]
            assert names.count("Idempotency-Key") == (method == "post"), (path, method)


def test_every_route_documents_the_problems_every_keyed_route_can_answer():
    for path, operations in openapi()["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "422", "429"):
                content = operation["responses"][status]["content"]
                assert list(content) == ["application/problem+json"], (path, method)
            assert operation["security"], (path, method)


def test_the_docs_page_renders():
    response = Client().get(f"{PREFIX}/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"openapi.json" in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/nothing",
        "/",
        "/events/",
        "/events/1/nope",
        "/holds",
        "/bookings/BK-X/refund",
    ],
)
def test_an_unknown_route_is_a_404_problem(path, shop):
    response = Client().get(PREFIX + path, headers=shop.headers(None))

    document = problem(response, 404, "not_found")
    validate(openapi(), "#/components/schemas/Problem", document)


def test_an_unknown_route_needs_no_key():
    response = Client().post(f"{PREFIX}/nothing", "{}", content_type="application/json")

    problem(response, 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_unknown_route_is_a_404_problem_whatever_the_method(method):
    """With CSRF checked as a browser's request would be: a mistyped route
    answers 404 problem+json, not Django's HTML CSRF page."""
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(
        f"{PREFIX}/bookings/", "{}", content_type="application/json"
    )

    problem(response, 404, "not_found")


def test_a_wrong_method_on_a_route_is_a_problem_too(shop):
    """Every refusal is problem+json (api/v1/problems.py), a 405 included."""
    response = Client().put(f"{PREFIX}/events", headers=shop.headers(None))

    problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_the_same_api_answers_a_shop_without_cookies(reader, event):
    """No session is made for an API call: the shop's backend holds no cookie."""
    response = reader.get("/events/{event_id}", event_id=event.id)

    assert response.status_code == 200
    assert not response.cookies


def test_api_posts_need_no_csrf_token(shop, event, seat_ids):
    """The shop's backend sends a key, not a browser's cookies and CSRF token."""
    client = Client(enforce_csrf_checks=True)

    response = Api(shop.key, client).hold(event.id, seat_ids[:1])

    assert response.status_code == 201, response.content
