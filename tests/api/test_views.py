"""The JSON HTTP API, through the test client and the whole middleware stack."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from seats import services
from seats.holders import SESSION_KEY
from seats.models import Hold, Seat
from seats.timefmt import iso
from tests.conftest import later
from wire.frames import public_holder

pytestmark = pytest.mark.django_db

RELEASE_URL = "/api/release-expired-locks/"


def hold(event, holder, ids, at=0):
    return services.hold_seats(
        event_id=event.id, holder=holder, seat_ids=ids, now=later(at)
    )


def unswept() -> int:
    """Seats still carrying a hold row, running or lapsed."""
    return Seat.objects.filter(hold__isnull=False).count()


@pytest.fixture
def lapsed_and_running(event, seat_ids, clock):
    """At 350: alice's two seats have lapsed (not swept), bob's seat still runs."""
    hold(event, "alice", seat_ids[:2], at=0)
    hold(event, "bob", seat_ids[2:3], at=200)
    clock(350)


@pytest.fixture
def staff_client(client) -> Client:
    client.force_login(User.objects.create_user("sam", password="pw", is_staff=True))
    return client


def test_events_lists_every_event_with_its_counts(
    event, seat_ids, other_event, lapsed_and_running
):
    services.book_seats(
        event_id=event.id, holder="bob", seat_ids=seat_ids[2:3], now=later(300)
    )

    response = Client().get("/api/events/")

    assert response.status_code == 200
    assert response.json() == {
        "events": [
            {
                "id": event.id,
                "name": "Test Night",
                "starts_at": iso(event.starts_at),
                "version": 3,
                "total": 10,
                "available": 9,  # alice's lapsed seats count as available
                "held": 0,
                "booked": 1,
                "blocked": 0,
            },
            {
                "id": other_event.id,
                "name": "Other Night",
                "starts_at": iso(other_event.starts_at),
                "version": 0,
                "total": 10,
                "available": 10,
                "held": 0,
                "booked": 0,
                "blocked": 0,
            },
        ]
    }


def test_event_seats_is_the_snapshot(event, seat_ids, lapsed_and_running):
    response = Client().get(f"/api/events/{event.id}/seats/")

    assert response.status_code == 200
    snapshot = response.json()
    header = {
        k: v for k, v in snapshot.items() if k not in ("categories", "seats", "plan")
    }
    assert header == {
        "type": "snapshot",
        "event": event.id,
        "version": 2,
        "you": None,
        "server_time": iso(later(350)),
        "hold": None,
        "channels": [],
        "channels_unlocked": [],
    }
    assert snapshot["categories"] == [
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
    ]
    seats = snapshot["seats"]
    assert [s["id"] for s in seats] == seat_ids
    assert seats[0] == {
        "id": seat_ids[0],
        "label": "A1",
        "section": "Stalls",
        "row": "A",
        "number": 1,
        "x": 0,
        "y": 0,
        "category": "premium",
        "status": "available",  # alice's hold lapsed at 300
        "holder": None,
        "held_until": None,
        "wheelchair": False,
        "companion_of": None,
        "restricted_view": False,
        "note": "",
        "channel": None,
    }
    assert seats[2]["status"] == "held"
    assert (seats[2]["holder"], seats[2]["held_until"]) == (
        public_holder(event.id, "bob"),
        iso(later(500)),
    )
    assert seats[5]["category"] == "standard"
    assert {s["status"] for i, s in enumerate(seats) if i != 2} == {"available"}
    assert unswept() == 3  # reading changes nothing


def test_event_seats_shows_the_sessions_own_hold(event, seat_ids, clock):
    client = Client()
    session = client.session
    session[SESSION_KEY] = "h_alice"
    session.save()
    hold(event, "h_alice", seat_ids[:2], at=0)
    clock(100)

    snapshot = client.get(f"/api/events/{event.id}/seats/").json()

    assert snapshot["you"] == public_holder(event.id, "h_alice")
    assert snapshot["hold"] == {
        "held_until": iso(later(300)),
        "max_until": iso(later(900)),
        "seat_ids": seat_ids[:2],
    }


def test_event_seats_of_an_unknown_event_is_404(event):
    assert Client().get(f"/api/events/{event.id + 1000}/seats/").status_code == 404


def test_anonymous_cannot_release_expired_locks(lapsed_and_running, announcements):
    response = Client().post(RELEASE_URL)

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert unswept() == 3
    assert announcements == []


def test_non_staff_cannot_release_expired_locks(
    client, lapsed_and_running, announcements
):
    client.force_login(User.objects.create_user("nora", password="pw"))

    response = client.post(RELEASE_URL)

    assert response.status_code == 403
    assert unswept() == 3
    assert announcements == []


def test_staff_release_expired_locks(
    staff_client,
    seat_ids,
    lapsed_and_running,
    announcements,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(RELEASE_URL)

    assert response.status_code == 200
    assert response.json() == {"released": 2}
    assert Seat.objects.filter(pk__in=seat_ids[:2], hold=None, holder="").count() == 2
    assert list(Hold.objects.values_list("holder", flat=True)) == ["bob"]
    assert [(c.reason, c.holders) for c in announcements] == [("expired", ("alice",))]
    assert staff_client.post(RELEASE_URL).json() == {"released": 0}


def test_release_expired_locks_needs_the_csrf_token(lapsed_and_running):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_user("sam", password="pw", is_staff=True))

    refused = client.post(RELEASE_URL)

    assert refused.status_code == 403
    assert unswept() == 3

    assert client.get("/dashboard/").status_code == 200
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(RELEASE_URL, headers={"X-CSRFToken": token})

    assert accepted.status_code == 200
    assert accepted.json() == {"released": 2}
    assert unswept() == 1


def test_release_expired_locks_is_post_only(staff_client, lapsed_and_running):
    assert staff_client.get(RELEASE_URL).status_code == 405
    assert unswept() == 3
