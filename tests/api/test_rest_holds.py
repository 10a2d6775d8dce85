"""Holds through the REST API: made, read, grown, extended, released, and lapsed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from api.keys import create_key
from seats.models import Activity, Event, Hold, Seat, SeatStatus, status_q
from tests.api.rest import Api, problem

pytestmark = pytest.mark.django_db

MS = timedelta(milliseconds=1)


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def labels(document: dict) -> list[str]:
    return [s["label"] for s in document["seats"]]


def ids(document: dict) -> list[int]:
    return [s["id"] for s in document["seats"]]


def held_by_token(token: str) -> list[int]:
    """The seats the hold runs on now, by the database."""
    return list(
        Seat.objects.filter(hold__token=token)
        .held_at(timezone.now())
        .order_by("pk")
        .values_list("id", flat=True)
    )


def free(seat_ids: list[int]) -> bool:
    now = timezone.now()
    available = status_q(SeatStatus.AVAILABLE, now)
    return Seat.objects.filter(available, id__in=seat_ids).count() == len(seat_ids)


def shift(token: str, seconds: float) -> None:
    """Move the hold's times by `seconds` (negative: it started earlier)."""
    delta = timedelta(seconds=seconds)
    hold = Hold.objects.get(token=token)
    Hold.objects.filter(pk=hold.pk).update(
        created_at=hold.created_at + delta,
        expires_at=hold.expires_at + delta,
        max_expires_at=hold.max_expires_at + delta,
    )
    for seat in Seat.objects.filter(hold=hold):
        Seat.objects.filter(pk=seat.pk).update(held_until=seat.held_until + delta)


def lapse(token: str) -> None:
    """The hold's time is up one second ago; no sweeper has run."""
    past = timezone.now() - timedelta(seconds=1)
    Hold.objects.filter(token=token).update(expires_at=past)
    Seat.objects.filter(hold__token=token).update(held_until=past)


def version(event_id: int) -> int:
    return Event.objects.values_list("version", flat=True).get(pk=event_id)


@pytest.fixture
def accessible_event(make_event, hold_settings) -> Event:
    """Row B: B3 a wheelchair space, B2 and B4 its companion seats."""
    event = make_event()
    seats = {s.label: s for s in Seat.objects.filter(event=event)}
    Seat.objects.filter(pk=seats["B3"].pk).update(wheelchair=True)
    Seat.objects.filter(pk__in=[seats["B2"].pk, seats["B4"].pk]).update(
        companion_of=seats["B3"]
    )
    return event


def label_ids(event: Event) -> dict[str, int]:
    return dict(Seat.objects.filter(event=event).values_list("label", "id"))


# Making a hold.


def test_holding_chosen_seats(shop, event, seat_ids):
    before = timezone.now()

    response = shop.hold(event.id, seat_ids[:2])

    after = timezone.now()
    assert response.status_code == 201
    hold = response.json()
    assert len(hold["token"]) >= 32
    assert hold["event_id"] == event.id
    assert hold["seats"] == [
        {
            "id": seat_ids[0],
            "label": "A1",
            "category": "premium",
            "price": "60.00",
            "currency": "EUR",
            "area": None,
        },
        {
            "id": seat_ids[1],
            "label": "A2",
            "category": "premium",
            "price": "60.00",
            "currency": "EUR",
            "area": None,
        },
    ]
    held_until, max_until = when(hold["held_until"]), when(hold["max_until"])
    hold_length = timedelta(seconds=300)
    assert before + hold_length - MS <= held_until <= after + hold_length
    assert max_until - held_until == timedelta(seconds=600)
    # The database agrees, and the hold is the API's own (not a browser's).
    row = Hold.objects.get(token=hold["token"])
    assert row.holder.startswith("a_")
    assert held_by_token(hold["token"]) == seat_ids[:2]
    assert sorted(
        Activity.objects.filter(event=event).values_list("kind", "seat_id", "holder")
    ) == [("held", seat_ids[0], row.holder), ("held", seat_ids[1], row.holder)]
    assert version(event.id) == 1


def test_each_hold_gets_its_own_token_and_holder(shop, event, seat_ids):
    first = shop.hold(event.id, seat_ids[:1]).json()["token"]
    second = shop.hold(event.id, seat_ids[1:2]).json()["token"]

    assert first != second
    holders = set(Hold.objects.values_list("holder", flat=True))
    assert len(holders) == 2


def test_holding_the_best_seats(shop, event, seat_ids):
    response = shop.post(
        "/events/{event_id}/holds", {"best": {"count": 3}}, event_id=event.id
    )

    assert response.status_code == 201
    hold = response.json()
    # Three neighbours in one row, in the middle of the front row.
    assert labels(hold) == ["A2", "A3", "A4"]
    assert held_by_token(hold["token"]) == ids(hold)


def test_holding_the_best_seats_of_a_category(shop, event):
    response = shop.post(
        "/events/{event_id}/holds",
        {"best": {"count": 2, "category": "standard"}},
        event_id=event.id,
    )

    assert response.status_code == 201
    hold = response.json()
    assert {s["category"] for s in hold["seats"]} == {"standard"}
    assert {s["price"] for s in hold["seats"]} == {"40.00"}
    assert all(label.startswith("B") for label in labels(hold))


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, ["B3"]), (2, ["B2", "B3"]), (3, ["B2", "B3", "B4"])],
)
def test_holding_accessible_seats(shop, accessible_event, count, expected):
    response = shop.post(
        "/events/{event_id}/holds",
        {"best": {"count": count, "accessible": True}},
        event_id=accessible_event.id,
    )

    assert response.status_code == 201, response.content
    hold = response.json()
    assert sorted(labels(hold)) == expected
    assert "B3" in labels(hold)


def test_no_accessible_block_that_large_is_409(shop, accessible_event):
    response = shop.post(
        "/events/{event_id}/holds",
        {"best": {"count": 4, "accessible": True}},
        event_id=accessible_event.id,
    )

    problem(response, 409, "no_accessible_seats")
    assert version(accessible_event.id) == 0


def test_best_seats_leave_wheelchair_and_companion_seats_alone(shop, accessible_event):
    # Row B offers only B1 and B5 to everyone else: not two together.
    response = shop.post(
        "/events/{event_id}/holds",
        {"best": {"count": 2, "category": "standard"}},
        event_id=accessible_event.id,
    )

    problem(response, 409, "no_adjacent_seats")


def test_a_companion_seat_alone_is_refused(shop, accessible_event):
    seats = label_ids(accessible_event)

    response = shop.hold(accessible_event.id, [seats["B2"]])

    document = problem(response, 409, "companion_seat")
    assert seats["B2"] in document["seat_ids"]


def test_seats_someone_else_holds_are_409_and_nothing_is_held(shop, event, seat_ids):
    other = shop.hold_token(event.id, seat_ids[1:2])

    response = shop.hold(event.id, seat_ids[:3])

    document = problem(response, 409, "seats_unavailable")
    assert document["seat_ids"] == [seat_ids[1]]
    assert "A2" in document["detail"]
    assert free([seat_ids[0], seat_ids[2]])
    assert held_by_token(other) == [seat_ids[1]]
    assert Hold.objects.count() == 1
    assert version(event.id) == 1


def test_booked_seats_are_409(shop, event, seat_ids):
    shop.book(shop.hold_token(event.id, seat_ids[:1]))

    response = shop.hold(event.id, seat_ids[:2])

    assert problem(response, 409, "seats_unavailable")["seat_ids"] == seat_ids[:1]


def test_an_unknown_seat_is_422(shop, event, seat_ids):
    missing = max(seat_ids) + 1000

    response = shop.hold(event.id, [seat_ids[0], missing])

    assert problem(response, 422, "unknown_seat")["seat_ids"] == [missing]
    assert free(seat_ids[:1])


def test_another_events_seat_is_422(shop, event, seat_ids, make_event):
    other = make_event(name="Other Night")
    theirs = Seat.objects.filter(event=other).values_list("id", flat=True).first()

    response = shop.hold(event.id, [seat_ids[0], theirs])

    assert problem(response, 422, "unknown_seat")["seat_ids"] == [theirs]
    assert free([seat_ids[0], theirs])


def test_more_seats_than_one_customer_may_hold_is_422(shop, event, seat_ids, settings):
    settings.SEAT_MAX_PER_HOLDER = 3

    response = shop.hold(event.id, seat_ids[:4])

    assert problem(response, 422, "too_many_seats")["seat_ids"] == seat_ids[:4]
    assert free(seat_ids[:4])


def test_more_best_seats_than_one_customer_may_hold_is_422(shop, event, settings):
    settings.SEAT_MAX_PER_HOLDER = 3

    response = shop.post(
        "/events/{event_id}/holds", {"best": {"count": 4}}, event_id=event.id
    )

    problem(response, 422, "too_many_seats")
    assert version(event.id) == 0


def test_an_unknown_category_is_422(shop, event):
    response = shop.post(
        "/events/{event_id}/holds",
        {"best": {"count": 1, "category": "gallery"}},
        event_id=event.id,
    )

    document = problem(response, 422, "bad_request")
    assert "gallery" in document["detail"]


def test_a_hold_on_an_unknown_event_is_404(shop, event, seat_ids):
    response = shop.hold(event.id + 1000, seat_ids[:1])

    problem(response, 404, "not_found")
    assert free(seat_ids[:1])


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"seat_ids": None, "best": None},
        {"seat_ids": [1], "best": {"count": 1}},
        {"seat_ids": []},
        {"seat_ids": ["A1"]},
        {"seat_ids": list(range(1, 1002))},
        {"best": {"count": 0}},
        {"best": {"count": -1}},
        {"best": {}},
        {"best": {"count": 1, "category": "x" * 41}},
        [1, 2],
        "seats",
    ],
    ids=[
        "neither",
        "both null",
        "both",
        "no seats",
        "not ids",
        "over 1000 ids",
        "best of 0",
        "best of -1",
        "best without count",
        "long category",
        "a list",
        "a string",
    ],
)
def test_a_malformed_request_is_422_and_holds_nothing(shop, event, body):
    response = shop.post("/events/{event_id}/holds", body, event_id=event.id)

    document = problem(response, 422, "bad_request")
    assert document["errors"], document
    assert not Hold.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", '{"seat_ids": [1,', "", "\xff"])
def test_a_body_that_is_not_json_is_400(shop, event, raw):
    response = shop.call(
        "POST", "/events/{event_id}/holds", raw=raw.encode("latin-1"), event_id=event.id
    )

    # An empty body is a missing one: that is malformed (422), not unreadable.
    if raw == "":
        problem(response, 422, "bad_request")
    else:
        problem(response, 400, "bad_request")
    assert not Hold.objects.exists()


# Reading and growing a hold.


def test_reading_a_hold_by_its_token(shop, reader, event, seat_ids):
    made = shop.hold(event.id, seat_ids[:2]).json()

    response = reader.get("/holds/{token}", token=made["token"])

    assert response.status_code == 200
    assert response.json() == made


def test_an_unknown_token_is_404(reader):
    response = reader.get("/holds/{token}", token="no-such-token")

    problem(response, 404, "hold_not_found")


def test_adding_chosen_seats(shop, event, seat_ids):
    made = shop.hold(event.id, seat_ids[:1]).json()

    response = shop.post(
        "/holds/{token}/seats", {"seat_ids": seat_ids[1:3]}, token=made["token"]
    )

    assert response.status_code == 200
    grown = response.json()
    assert grown["token"] == made["token"]
    assert ids(grown) == seat_ids[:3]
    # New seats share the hold's expiry.
    assert grown["held_until"] == made["held_until"]
    assert held_by_token(made["token"]) == seat_ids[:3]
    assert set(Seat.objects.filter(id__in=seat_ids[:3]).values_list("held_until")) == {
        (Hold.objects.get(token=made["token"]).expires_at,)
    }


def test_adding_seats_already_in_the_hold_changes_nothing(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])

    response = shop.post(
        "/holds/{token}/seats", {"seat_ids": seat_ids[:2]}, token=token
    )

    assert response.status_code == 200
    assert ids(response.json()) == seat_ids[:2]
    assert version(event.id) == 1


def test_adding_the_best_seats(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:1])

    response = shop.post(
        "/holds/{token}/seats",
        {"best": {"count": 2, "category": "standard"}},
        token=token,
    )

    assert response.status_code == 200
    added = [s for s in response.json()["seats"] if s["id"] != seat_ids[0]]
    assert [s["category"] for s in added] == ["standard", "standard"]
    assert len(held_by_token(token)) == 3


def test_adding_accessible_seats(shop, accessible_event):
    seats = label_ids(accessible_event)
    token = shop.hold_token(accessible_event.id, [seats["A1"]])

    response = shop.post(
        "/holds/{token}/seats",
        {"best": {"count": 2, "accessible": True}},
        token=token,
    )

    assert response.status_code == 200
    assert labels(response.json()) == ["A1", "B2", "B3"]


def test_adding_seats_someone_else_holds_is_409(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:1])
    shop.hold_token(event.id, seat_ids[1:2])

    response = shop.post(
        "/holds/{token}/seats", {"seat_ids": seat_ids[1:3]}, token=token
    )

    assert problem(response, 409, "seats_unavailable")["seat_ids"] == seat_ids[1:2]
    assert held_by_token(token) == seat_ids[:1]


def test_adding_past_the_per_customer_limit_is_422(shop, event, seat_ids, settings):
    settings.SEAT_MAX_PER_HOLDER = 3
    token = shop.hold_token(event.id, seat_ids[:2])

    response = shop.post(
        "/holds/{token}/seats", {"seat_ids": seat_ids[2:4]}, token=token
    )

    problem(response, 422, "too_many_seats")
    assert held_by_token(token) == seat_ids[:2]


def test_a_token_acts_on_its_own_event_only(shop, event, seat_ids, make_event):
    token = shop.hold_token(event.id, seat_ids[:1])
    other = make_event(name="Other Night")
    theirs = Seat.objects.filter(event=other).values_list("id", flat=True).first()

    response = shop.post("/holds/{token}/seats", {"seat_ids": [theirs]}, token=token)

    problem(response, 422, "unknown_seat")
    assert free([theirs])


def test_adding_to_an_unknown_token_is_404(shop, event, seat_ids):
    response = shop.post(
        "/holds/{token}/seats", {"seat_ids": seat_ids[:1]}, token="nope"
    )

    problem(response, 404, "hold_not_found")
    assert free(seat_ids[:1])


# Extending.


def test_extending_pushes_the_expiry_out(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])
    shift(token, -100)  # made 100 s ago: 200 s left
    old = Hold.objects.get(token=token)
    before = timezone.now()

    response = shop.post("/holds/{token}/extend", token=token)

    assert response.status_code == 200
    extended = response.json()
    held_until = when(extended["held_until"])
    assert held_until >= before + timedelta(seconds=300) - MS
    assert held_until > old.expires_at + timedelta(seconds=99)
    assert abs(when(extended["max_until"]) - old.max_expires_at) < MS
    row = Hold.objects.get(token=token)
    assert row.expires_at > old.expires_at
    assert set(Seat.objects.filter(hold=row).values_list("held_until", flat=True)) == {
        row.expires_at
    }
    assert Activity.objects.filter(kind="extended").count() == 2


def test_extending_never_passes_the_maximum(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:1])
    shift(token, -250)  # 50 s left, 650 s to its maximum
    Hold.objects.filter(token=token).update(
        max_expires_at=timezone.now() + timedelta(seconds=100)
    )

    response = shop.post("/holds/{token}/extend", token=token)

    assert response.status_code == 200
    document = response.json()
    assert document["held_until"] == document["max_until"]


def test_extending_at_the_cap_is_409(shop, event, seat_ids, settings):
    settings.SEAT_HOLD_MAX_SECONDS = settings.SEAT_HOLD_SECONDS
    token = shop.hold_token(event.id, seat_ids[:1])
    expires = Hold.objects.get(token=token).expires_at

    response = shop.post("/holds/{token}/extend", token=token)

    problem(response, 409, "extend_limit")
    assert Hold.objects.get(token=token).expires_at == expires
    assert version(event.id) == 1


# Releasing.


def test_releasing_some_seats_keeps_the_rest(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:3])

    response = shop.post(
        "/holds/{token}/release", {"seat_ids": [seat_ids[0]]}, token=token
    )

    assert response.status_code == 200
    document = response.json()
    assert document["released"] == [seat_ids[0]]
    assert ids(document["hold"]) == seat_ids[1:3]
    assert document["hold"]["token"] == token
    assert free(seat_ids[:1])
    assert held_by_token(token) == seat_ids[1:3]
    assert shop.get("/holds/{token}", token=token).status_code == 200


@pytest.mark.parametrize("body", [{}, {"seat_ids": None}], ids=["empty", "null"])
def test_releasing_without_ids_releases_the_whole_hold(shop, event, seat_ids, body):
    token = shop.hold_token(event.id, seat_ids[:3])

    response = shop.post("/holds/{token}/release", body, token=token)

    assert response.status_code == 200
    assert response.json() == {"released": seat_ids[:3], "hold": None}
    assert free(seat_ids[:3])
    assert not Hold.objects.filter(token=token).exists()
    problem(shop.get("/holds/{token}", token=token), 404, "hold_not_found")


def test_releasing_the_last_seats_by_id_spends_the_token(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])

    response = shop.post(
        "/holds/{token}/release", {"seat_ids": seat_ids[:2]}, token=token
    )

    assert response.json() == {"released": seat_ids[:2], "hold": None}
    problem(shop.post("/holds/{token}/extend", token=token), 404, "hold_not_found")


def test_releasing_a_seat_the_hold_does_not_have_is_409(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])
    other = shop.hold_token(event.id, seat_ids[2:3])

    response = shop.post(
        "/holds/{token}/release", {"seat_ids": seat_ids[1:3]}, token=token
    )

    assert problem(response, 409, "not_holder")["seat_ids"] == [seat_ids[2]]
    assert held_by_token(token) == seat_ids[:2]
    assert held_by_token(other) == seat_ids[2:3]


def test_deleting_a_hold_releases_all_of_it(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])

    response = shop.delete("/holds/{token}", token=token)

    assert response.status_code == 200
    assert response.json() == {"released": seat_ids[:2], "hold": None}
    assert free(seat_ids[:2])
    assert (
        sorted(
            Activity.objects.filter(kind="released").values_list("seat_id", flat=True)
        )
        == seat_ids[:2]
    )
    problem(shop.delete("/holds/{token}", token=token), 404, "hold_not_found")


# A hold past its time: the database says so, whether or not a sweeper ran.

TOKEN_ROUTES = [
    ("GET", "/holds/{token}", None),
    ("POST", "/holds/{token}/seats", lambda free: {"seat_ids": free}),
    ("POST", "/holds/{token}/extend", None),
    ("POST", "/holds/{token}/release", lambda free: {}),
    ("DELETE", "/holds/{token}", None),
    ("POST", "/bookings", None),
]


@pytest.mark.parametrize(
    ("method", "template", "body"),
    TOKEN_ROUTES,
    ids=[f"{m} {t}" for m, t, _ in TOKEN_ROUTES],
)
def test_a_lapsed_hold_is_404_on_every_token_route(
    shop, event, seat_ids, method, template, body
):
    token = shop.hold_token(event.id, seat_ids[:2])
    lapse(token)
    before = version(event.id)

    if template == "/bookings":
        response = shop.book(token)
    else:
        sent = body(seat_ids[5:6]) if body else None
        kwargs = {} if sent is None else {"body": sent}
        response = shop.call(method, template, token=token, **kwargs)

    problem(response, 404, "hold_not_found")
    # Nothing changed: no booking, no new seats, no sweep on the way.
    assert version(event.id) == before
    assert Seat.objects.filter(hold__token=token).count() == 2
    assert free(seat_ids[:2] + seat_ids[5:6])
    assert not Seat.objects.filter(booking__isnull=False).exists()


def test_a_lapsed_hold_counts_its_seats_as_available(shop, reader, event, seat_ids):
    lapse(shop.hold_token(event.id, seat_ids[:2]))

    response = reader.get("/events/{event_id}", event_id=event.id)

    assert response.json()["seats"]["available"] == 10


def test_a_lapsed_hold_s_seats_can_be_held_again(shop, event, seat_ids):
    old = shop.hold_token(event.id, seat_ids[:2])
    lapse(old)

    new = shop.hold_token(event.id, seat_ids[:2])

    assert new != old
    assert held_by_token(new) == seat_ids[:2]
    problem(shop.get("/holds/{token}", token=old), 404, "hold_not_found")


def test_the_answers_are_json_text(shop, event, seat_ids):
    response = shop.hold(event.id, seat_ids[:1])

    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content.decode("utf-8"))


def test_a_hold_made_by_one_shop_key_is_usable_by_another(shop, event, seat_ids):
    """The token is the capability, not the key that made it."""
    _, other_key = create_key("second shop", "sell")
    token = shop.hold_token(event.id, seat_ids[:1])

    response = Api(other_key).get("/holds/{token}", token=token)

    assert response.status_code == 200
