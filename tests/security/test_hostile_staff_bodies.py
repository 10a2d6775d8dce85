"""Generated hostile bodies at every staff endpoint: a documented 4xx, never a
500, and nothing changed.

Hypothesis draws an endpoint and a body: arbitrary JSON (huge and negative
integers, floats past a double, lone surrogates, NUL, control characters,
deep nesting, the right field names with the wrong types) or bytes that are
not JSON or not UTF-8. A staff user posts it as the dashboard would. Every
answer below 500 is JSON; an error leaves the database as it was.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from seats.models import Activity, Booking, Event, Seat
from seats.waiting.models import WaitingRoom

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/staff/events/{event}/block",
    "/api/staff/events/{event}/unblock",
    "/api/staff/events/{event}/release",
    "/api/staff/events/{event}/sell",
    "/api/staff/events/{event}/cancel",
    "/api/staff/events/{event}/waiting-room",
    "/api/staff/bookings/{reference}/cancel",
]
FIELDS = [
    "seat_ids",
    "reason",
    "note",
    "release_holds",
    "customer",
    "name",
    "email",
    "payment",
    "enabled",
    "opens_at",
    "rate_per_minute",
    "max_admitted",
    "shopping_seconds",
    "paused",
]

hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "a\x00b", "\udfff\ud800", "=cmd|' /C calc'!A0", ""]),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc"]), max_size=5),
)
hostile_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 2**31, 2**63, 10**30, 1e308]),
)
leaves = st.one_of(st.none(), st.booleans(), hostile_numbers, hostile_text)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(FIELDS) | hostile_text, inner, max_size=4),
    ),
    max_leaves=12,
)
documents = st.dictionaries(st.sampled_from(FIELDS), values, max_size=5)
raw = st.one_of(
    st.sampled_from(
        [
            b"[" * 5000,
            b'{"seat_ids": [' + b"9" * 5000 + b"]}",
            b"\xff\xfe\x00",
            b'{"reason": "\\ud800"}',
            b'{"opens_at": "0001-01-01T00:00:00+14:00", "enabled": true}',
            b'{"opens_at": "9999-12-31T23:59:59-14:00", "enabled": true}',
            b"null",
            b"",
        ]
    ),
    st.binary(max_size=40),
)


def encode(document) -> bytes:
    return json.dumps(document, allow_nan=False).encode("utf-8", "surrogatepass")


bodies = st.one_of(documents.map(encode), values.map(encode), raw)


def state() -> tuple:
    return (
        list(
            Seat.objects.order_by("pk").values_list("holder", "blocked", "booking_id")
        ),
        Booking.objects.count(),
        Activity.objects.count(),
        list(Event.objects.values_list("version", flat=True)),
        list(WaitingRoom.objects.values_list("enabled", "opens_at", "version")),
    )


@pytest.fixture
def staff() -> Client:
    user = User.objects.create_user("desk", password="pw", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(endpoint=st.sampled_from(ENDPOINTS), body=bodies)
@example(endpoint=ENDPOINTS[0], body=b'{"seat_ids": [1], "reason": "\\ud800"}')
@example(endpoint=ENDPOINTS[5], body=b'{"opens_at": "0001-01-01T00:00:00+14:00"}')
def test_every_staff_endpoint_answers_hostile_bodies_with_a_4xx(
    staff, event, seat_ids, endpoint, body
):
    url = endpoint.format(event=event.id, reference="ABC234")
    before = state()
    response = staff.post(url, body, content_type="application/json")
    assert response.status_code < 500, (url, body[:200], response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response
    json.loads(response.content)
    if response.status_code >= 400:
        assert state() == before, (url, body[:200])
