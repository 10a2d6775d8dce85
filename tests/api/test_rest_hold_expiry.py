"""A hold's length chosen by the shop: `expires_in_minutes` on a new hold and
on `POST /holds/{token}/extend` (re-timing). Every answer is checked against
the OpenAPI document (tests/api/rest.py); every refusal changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from seats.models import Activity, Event, Hold, Seat
from seats.outbox.models import WebhookDelivery, WebhookEndpoint
from tests.api.rest import problem

pytestmark = pytest.mark.django_db

# The answer's times are cut to milliseconds.
MS = timedelta(milliseconds=1)
CAP = timedelta(hours=2)

# Not a whole number of minutes from 1 to the cap (120), as JSON sends it.
BAD_LENGTHS = [0, -1, 121, 10**20, 1.5, 5.0, "5", True, False, [5], {"m": 5}]


@pytest.fixture(autouse=True)
def api_cap(settings):
    settings.SEAT_API_HOLD_MAX_SECONDS = 7200
    return settings


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def within(moment: datetime, before: datetime, after: datetime, length) -> bool:
    return before + length - MS <= moment <= after + length


def state() -> tuple:
    """Every hold and seat time, and every event's version."""
    return (
        list(
            Hold.objects.order_by("pk").values_list(
                "token", "expires_at", "max_expires_at"
            )
        ),
        list(Seat.objects.order_by("pk").values_list("id", "hold_id", "held_until")),
        list(Event.objects.order_by("pk").values_list("id", "version")),
        Activity.objects.count(),
    )


def held_until(token: str) -> set[datetime]:
    return set(
        Seat.objects.filter(hold__token=token).values_list("held_until", flat=True)
    )


# A new hold.


def test_a_new_hold_runs_for_the_chosen_minutes(shop, event, seat_ids):
    before = timezone.now()
    response = shop.post(
        "/events/{event_id}/holds",
        {"seat_ids": seat_ids[:2], "expires_in_minutes": 30},
        event_id=event.id,
    )
    after = timezone.now()

    assert response.status_code == 201, response.content
    hold = response.json()
    until, max_until = when(hold["held_until"]), when(hold["max_until"])
    assert within(until, before, after, timedelta(minutes=30))
    assert within(max_until, before, after, CAP)
    stored = Hold.objects.get(token=hold["token"])
    assert abs(stored.expires_at - until) < MS
    assert {abs(t - until) < MS for t in held_until(hold["token"])} == {True}


def test_the_best_seats_for_the_chosen_minutes(shop, event):
    before = timezone.now()
    response = shop.post(
        "/events/{event_id}/holds",
        {"best": {"count": 2}, "expires_in_minutes": 120},
        event_id=event.id,
    )
    after = timezone.now()

    assert response.status_code == 201, response.content
    hold = response.json()
    assert len(hold["seats"]) == 2
    assert within(when(hold["held_until"]), before, after, CAP)
    assert within(when(hold["max_until"]), before, after, CAP)


@pytest.mark.parametrize("body", [{}, {"expires_in_minutes": None}])
def test_without_a_length_a_new_hold_is_as_before(shop, event, seat_ids, body):
    response = shop.post(
        "/events/{event_id}/holds",
        {"seat_ids": seat_ids[:1], **body},
        event_id=event.id,
    )
    assert response.status_code == 201
    hold = response.json()
    # SEAT_HOLD_SECONDS, extendable to SEAT_HOLD_MAX_SECONDS (hold_settings).
    assert when(hold["max_until"]) - when(hold["held_until"]) == timedelta(seconds=600)


@pytest.mark.parametrize("minutes", BAD_LENGTHS)
@pytest.mark.parametrize("wanted", ["seat_ids", "best"])
def test_a_new_hold_with_a_bad_length_is_422_and_holds_nothing(
    shop, event, seat_ids, minutes, wanted
):
    before = state()
    body = (
        {"seat_ids": seat_ids[:1]} if wanted == "seat_ids" else {"best": {"count": 1}}
    )

    response = shop.post(
        "/events/{event_id}/holds",
        {**body, "expires_in_minutes": minutes},
        event_id=event.id,
    )

    found = problem(response, 422, "bad_request")
    assert "expires_in_minutes" in found["detail"]
    assert state() == before
    assert not Hold.objects.exists()


# Re-timing a hold.


def retime(shop, token: str, body):
    return shop.post("/holds/{token}/extend", body, token=token)


def test_re_timing_a_hold_moves_its_expiry_and_maximum(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])
    endpoint = WebhookEndpoint.objects.create(url="https://shop.example/hooks")
    before = timezone.now()

    response = retime(shop, token, {"expires_in_minutes": 90})

    after = timezone.now()
    assert response.status_code == 200, response.content
    hold = response.json()
    assert hold["token"] == token
    until = when(hold["held_until"])
    assert within(until, before, after, timedelta(minutes=90))
    assert within(when(hold["max_until"]), before, after, CAP)
    assert {abs(t - until) < MS for t in held_until(token)} == {True}
    assert Activity.objects.filter(kind="extended").count() == 2
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert delivery.event_type == "seats.extended"


def test_re_timing_may_shorten_a_hold(shop, event, seat_ids):
    token = shop.post(
        "/events/{event_id}/holds",
        {"seat_ids": seat_ids[:1], "expires_in_minutes": 60},
        event_id=event.id,
    ).json()["token"]
    before = timezone.now()

    response = retime(shop, token, {"expires_in_minutes": 1})

    after = timezone.now()
    assert response.status_code == 200
    assert within(
        when(response.json()["held_until"]), before, after, timedelta(minutes=1)
    )


@pytest.mark.parametrize("body", [None, {}, {"expires_in_minutes": None}])
def test_without_a_length_extend_is_as_before(shop, event, seat_ids, body):
    token = shop.hold_token(event.id, seat_ids[:1])
    first = Hold.objects.get(token=token)

    response = (
        shop.post("/holds/{token}/extend", token=token)
        if body is None
        else retime(shop, token, body)
    )

    assert response.status_code == 200
    extended = response.json()
    # The standard length from now, the maximum where it was.
    assert abs(when(extended["max_until"]) - first.max_expires_at) < MS
    assert when(extended["held_until"]) - first.expires_at < timedelta(seconds=5)


def test_a_plain_extension_of_a_longer_hold_is_409_and_says_why(shop, event, seat_ids):
    token = shop.post(
        "/events/{event_id}/holds",
        {"seat_ids": seat_ids[:1], "expires_in_minutes": 60},
        event_id=event.id,
    ).json()["token"]
    before = state()

    found = problem(
        shop.post("/holds/{token}/extend", token=token), 409, "extend_limit"
    )

    assert "expires_in_minutes" in found["detail"]
    assert state() == before


@pytest.mark.parametrize("minutes", BAD_LENGTHS)
def test_re_timing_with_a_bad_length_is_422_and_changes_nothing(
    shop, event, seat_ids, minutes
):
    token = shop.hold_token(event.id, seat_ids[:2])
    before = state()

    response = retime(shop, token, {"expires_in_minutes": minutes})

    found = problem(response, 422, "bad_request")
    assert "expires_in_minutes" in found["detail"]
    assert state() == before


@pytest.mark.parametrize("raw", ["5", "[]", '"x"', "{"])
def test_re_timing_with_a_body_that_is_not_an_object_is_refused(
    shop, event, seat_ids, raw
):
    token = shop.hold_token(event.id, seat_ids[:1])
    before = state()

    response = shop.post("/holds/{token}/extend", raw=raw, token=token)

    assert response.status_code in (400, 422)
    assert state() == before


def test_re_timing_an_unknown_token_is_404_and_a_bad_length_422_first(
    shop, event, seat_ids
):
    shop.hold_token(event.id, seat_ids[:1])
    before = state()

    problem(
        retime(shop, "no-such-token", {"expires_in_minutes": 5}), 404, "hold_not_found"
    )
    problem(
        retime(shop, "no-such-token", {"expires_in_minutes": 0}), 422, "bad_request"
    )

    assert state() == before


def test_re_timing_needs_a_sell_key(reader, shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:1])
    before = state()

    problem(retime(reader, token, {"expires_in_minutes": 60}), 403, "forbidden")

    assert state() == before


def test_the_cap_is_the_setting(shop, event, seat_ids, settings):
    settings.SEAT_API_HOLD_MAX_SECONDS = 1800
    response = shop.post(
        "/events/{event_id}/holds",
        {"seat_ids": seat_ids[:1], "expires_in_minutes": 31},
        event_id=event.id,
    )
    assert "1 to 30" in problem(response, 422, "bad_request")["detail"]
    ok = shop.post(
        "/events/{event_id}/holds",
        {"seat_ids": seat_ids[:1], "expires_in_minutes": 30},
        event_id=event.id,
    )
    assert ok.status_code == 201
    hold = ok.json()
    assert when(hold["max_until"]) == when(hold["held_until"])
