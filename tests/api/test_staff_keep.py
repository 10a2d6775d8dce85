"""Keeping seats for a named person at the box office: the staff endpoint
(`POST /api/staff/events/<id>/keep`), the box office page's form, and the
staff views that list such holds (dashboard frame, booking lookup)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from seats import selectors
from seats.models import Activity, Event, Hold, Seat
from seats.services import staff
from tests.contracts.asyncapi import check_server_frame
from wire import dashboard_frames

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(settings.BASE_DIR) / "docs" / "staff.schema.json").read_text()
)


def answer(response) -> dict:
    """The JSON answer, checked against docs/staff.schema.json."""
    document = response.json()
    jsonschema.validate(document, SCHEMA)
    return document


def state() -> tuple:
    return (
        list(Seat.objects.order_by("pk").values_list("id", "hold_id", "held_until")),
        list(Hold.objects.order_by("pk").values_list("id", "held_for")),
        Activity.objects.count(),
        list(Event.objects.order_by("pk").values_list("id", "version")),
    )


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("sam", password="pw", is_staff=True))
    return client


def local(moment: datetime) -> str:
    """As a datetime-local field sends it: the site's clock, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def keep(client: Client, event_id: int, body: dict):
    return client.post(
        f"/api/staff/events/{event_id}/keep",
        json.dumps(body),
        content_type="application/json",
    )


def test_staff_keep_seats_until_a_datetime_local_time(staff_client, event, seat_ids):
    until = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)

    response = keep(
        staff_client,
        event.id,
        {"seat_ids": seat_ids[:2], "held_for": "Mrs Smith", "until": local(until)},
    )

    assert response.status_code == 200, response.content
    document = answer(response)
    assert document["type"] == "kept"
    assert document["seat_ids"] == seat_ids[:2]
    assert document["held_for"] == "Mrs Smith"
    hold = Hold.objects.get(holder=document["holder"])
    assert (hold.held_for, hold.expires_at) == ("Mrs Smith", until)
    assert Activity.objects.get(seat_id=seat_ids[0]).staff == "sam"


def test_a_naive_time_is_on_the_sites_clock(staff_client, event, seat_ids, settings):
    settings.TIME_ZONE = "Europe/Berlin"  # UTC+1 in December
    moment = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    wall = moment.astimezone(timezone.get_default_timezone()).replace(tzinfo=None)

    response = keep(
        staff_client,
        event.id,
        {
            "seat_ids": seat_ids[:1],
            "held_for": "Herr Weber",
            "until": wall.strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert response.status_code == 200, response.content
    assert Hold.objects.get(held_for="Herr Weber").expires_at == moment


@pytest.mark.parametrize(
    "body",
    [
        {"held_for": "Smith", "until": "+1d"},  # no seats
        {"seat_ids": [], "held_for": "Smith", "until": "+1d"},
        {"seat_ids": "all", "held_for": "Smith", "until": "+1d"},
        {"seat_ids": "ok", "until": "+1d"},  # no name
        {"seat_ids": "ok", "held_for": "  ", "until": "+1d"},
        {"seat_ids": "ok", "held_for": 7, "until": "+1d"},
        {"seat_ids": "ok", "held_for": "Smith"},  # no time
        {"seat_ids": "ok", "held_for": "Smith", "until": "tomorrow"},
        {"seat_ids": "ok", "held_for": "Smith", "until": "2026-02-30T10:00"},
        {"seat_ids": "ok", "held_for": "Smith", "until": 1893456000},
        {"seat_ids": "ok", "held_for": "Smith", "until": "+30s"},  # too soon
        {"seat_ids": "ok", "held_for": "Smith", "until": "-1d"},  # past
        {"seat_ids": "ok", "held_for": "Smith", "until": "+8d"},  # past the cap
    ],
)
def test_bad_requests_are_400_and_change_nothing(staff_client, event, seat_ids, body):
    body = dict(body)
    if body.get("seat_ids") == "ok":
        body["seat_ids"] = seat_ids[:1]
    offsets = {"+1d": 86400, "+30s": 30, "-1d": -86400, "+8d": 8 * 86400}
    if body.get("until") in offsets:
        moment = timezone.now() + timedelta(seconds=offsets[body["until"]])
        body["until"] = moment.isoformat()
    before = state()

    response = keep(staff_client, event.id, body)

    assert response.status_code == 400, response.content
    assert answer(response)["code"] == "bad_request"
    assert state() == before


def test_seats_not_free_are_409(staff_client, event, seat_ids):
    from seats import services

    services.hold_seats(event_id=event.id, holder="h1", seat_ids=seat_ids[:1])
    before = state()
    response = keep(
        staff_client,
        event.id,
        {
            "seat_ids": seat_ids[:2],
            "held_for": "Smith",
            "until": (timezone.now() + timedelta(hours=1)).isoformat(),
        },
    )
    assert response.status_code == 409
    assert answer(response)["code"] == "seats_held"
    assert state() == before


@pytest.mark.parametrize("who", ["anonymous", "customer", "inactive staff"])
def test_nobody_but_staff_keeps_seats(who, event, seat_ids):
    client = Client()
    if who == "customer":
        client.force_login(User.objects.create_user("cus", password="pw"))
    elif who == "inactive staff":
        user = User.objects.create_user("old", password="pw", is_staff=True)
        client.force_login(user)
        user.is_active = False
        user.save()
    before = state()
    body = {
        "seat_ids": seat_ids[:1],
        "held_for": "Smith",
        "until": (timezone.now() + timedelta(hours=1)).isoformat(),
    }

    response = keep(client, event.id, body)

    assert response.status_code == 403
    assert answer(response)["error"] == "forbidden"
    assert state() == before


def test_keeping_needs_the_csrf_token(event, seat_ids):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_user("sam", password="pw", is_staff=True))
    url = f"/api/staff/events/{event.id}/keep"
    body = json.dumps(
        {
            "seat_ids": seat_ids[:1],
            "held_for": "Smith",
            "until": (timezone.now() + timedelta(hours=1)).isoformat(),
        }
    )
    before = state()
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert state() == before
    client.get("/dashboard/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(
        url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200
    assert answer(accepted)["type"] == "kept"


def test_keeping_is_post_only(staff_client, event):
    assert staff_client.get(f"/api/staff/events/{event.id}/keep").status_code == 405


# Where staff see them.


def kept_for_smith(event, seat_ids, hours: int = 30):
    return staff.keep_seats(
        event_id=event.id,
        seat_ids=seat_ids[:2],
        held_for="Mrs Smith, phoning back",
        until=timezone.now() + timedelta(hours=hours),
        staff="sam",
    )


def test_the_dashboard_frame_says_whom_and_until_when(event, seat_ids):
    from seats import services

    kept = kept_for_smith(event, seat_ids)
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=seat_ids[3:4])

    frame = dashboard_frames.dashboard_state(selectors.dashboard_state())

    check_server_frame(json.loads(json.dumps(frame)))
    holds = {h["holder"]: h for h in frame["holds"]}
    assert holds[kept.holder]["held_for"] == "Mrs Smith, phoning back"
    assert holds[kept.holder]["expires_at"].startswith(
        kept.until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    )
    assert holds["h1"]["held_for"] is None


def test_the_lookup_lists_seats_kept_for_that_name(staff_client, event, seat_ids):
    kept_for_smith(event, seat_ids)

    html = staff_client.get("/box-office/bookings/", {"q": "smith"}).content.decode()

    [row] = re.findall(r'<tr class="kept-row".*?</tr>', html, re.S)
    assert "Mrs Smith, phoning back" in row
    assert "A1, A2" in row
    assert f'href="/box-office/events/{event.id}/"' in row
    other = staff_client.get("/box-office/bookings/", {"q": "jones"}).content.decode()
    assert "kept-row" not in other


def test_the_lookup_shows_no_names_to_others(event, seat_ids):
    kept_for_smith(event, seat_ids)
    visitor = Client()
    visitor.force_login(User.objects.create_user("joe", password="pw"))
    answer_ = visitor.get("/box-office/bookings/", {"q": "smith"})
    assert answer_.status_code == 302
    assert "Smith" not in answer_.content.decode()


def test_the_box_office_page_has_the_keep_form(staff_client, event, settings):
    settings.SEAT_BOX_OFFICE_HOLD_MAX_SECONDS = 7 * 86400
    html = staff_client.get(f"/box-office/events/{event.id}/").content.decode()
    form = re.search(r'<form id="bo-keep".*?</form>', html, re.S).group(0)
    assert 'name="held_for"' in form and "required" in form
    assert 'type="datetime-local"' in form and 'name="until"' in form
    assert "at most 7 days ahead" in form
    public = Client().get(f"/events/{event.id}/").content.decode()
    assert "bo-keep" not in public
