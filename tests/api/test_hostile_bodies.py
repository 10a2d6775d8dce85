"""Hostile bodies on the REST API: each answered with a problem, never a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from seats.models import Booking, Seat
from tests.api.rest import PREFIX, problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body",
    [
        "[" * 3000,  # deeper than the JSON parser goes
        '{"seat_ids": ["\\ud800"]}',  # a lone surrogate
        '{"seat_ids": "\\u0000"}',
        "\x00",
        '{"seat_ids": [1e999]}',
    ],
)
def test_a_hostile_body_is_a_problem_and_changes_nothing(shop, event, body):
    response = Client().post(
        f"{PREFIX}/events/{event.id}/holds",
        body,
        content_type="application/json",
        headers=shop.headers(None),
    )

    assert response.status_code in (400, 422), response.content
    problem(response, response.status_code, "bad_request")
    assert not Seat.objects.exclude(holder="").exists()


@pytest.mark.parametrize(
    "field",
    [
        {"external_reference": "order-\ud800"},
        {"customer": {"name": "Ann \ud800"}},
        {"hold_token": "\udfff"},
    ],
)
def test_a_lone_surrogate_in_a_booking_is_a_problem(shop, event, seat_ids, field):
    token = shop.hold_token(event.id, seat_ids[:1])
    body = {"hold_token": token, **field}
    response = Client().post(
        f"{PREFIX}/bookings",
        json.dumps(body),
        content_type="application/json",
        headers=shop.headers({"Idempotency-Key": "k-" + str(len(str(field)))}),
    )

    assert response.status_code in (400, 404, 422), response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not Booking.objects.exists()
