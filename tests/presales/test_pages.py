"""The map's presale code form and the staff channels page, over HTTP."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from presales.models import ChannelAccess
from seats import services
from seats.errors import SeatsUnavailable
from seats.holders import CHANNELS_KEY, SESSION_KEY
from seats.models import SalesChannel, Seat
from seats.services import channels
from tests.conftest import PRESALE_CODE, ids_of

pytestmark = pytest.mark.django_db


def enter(client: Client, event, code: str):
    return client.post(
        f"/events/{event.id}/code",
        json.dumps({"code": code}),
        content_type="application/json",
    )


def visitor(event) -> Client:
    client = Client()
    client.get(f"/events/{event.id}/")  # a session and its holder
    return client


def test_the_map_offers_the_form_only_while_a_channel_keeps_seats(event, presale):
    page = visitor(event).get(f"/events/{event.id}/")
    assert b"Have a presale code?" in page.content
    channels.set_releases_at(
        channel_id=presale.pk, releases_at=timezone.now(), now=timezone.now()
    )
    page = visitor(event).get(f"/events/{event.id}/")
    assert b"Have a presale code?" not in page.content


def test_the_right_code_unlocks_the_channel_for_the_session(event, presale):
    client = visitor(event)
    answer = enter(client, event, "  members-2026 ")  # spaces and case do not matter
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "type": "channel.unlocked",
        "channel": {"id": presale.pk, "name": "Members presale", "releases_at": None},
    }
    session = client.session
    assert session[CHANNELS_KEY] == {str(event.id): [presale.pk]}
    snapshot = client.get(f"/api/events/{event.id}/seats/").json()
    assert snapshot["channels_unlocked"] == [presale.pk]
    # The session's holder may now hold a kept seat; anybody else may not.
    services.hold_seats(
        event_id=event.id,
        holder=session[SESSION_KEY],
        seat_ids=ids_of(event, "A5"),
        channels=[presale.pk],
    )
    (attempt,) = ChannelAccess.objects.all()
    assert (attempt.outcome, attempt.channel_id, attempt.holder) == (
        "unlocked",
        presale.pk,
        session[SESSION_KEY],
    )


def test_a_wrong_code_unlocks_nothing_and_is_logged(event, presale):
    client = visitor(event)
    answer = enter(client, event, "guess-123")
    assert answer.status_code == 400
    assert answer.json()["code"] == "wrong_code"
    assert CHANNELS_KEY not in client.session
    assert (
        client.get(f"/api/events/{event.id}/seats/").json()["channels_unlocked"] == []
    )
    (attempt,) = ChannelAccess.objects.all()
    assert (attempt.outcome, attempt.channel_id) == ("wrong", None)
    with pytest.raises(SeatsUnavailable):
        services.hold_seats(
            event_id=event.id,
            holder=client.session[SESSION_KEY],
            seat_ids=ids_of(event, "A5"),
        )


def test_an_ended_channel_says_so_and_unlocks_nothing(event, presale):
    channels.set_releases_at(
        channel_id=presale.pk, releases_at=timezone.now(), now=timezone.now()
    )
    client = visitor(event)
    answer = enter(client, event, PRESALE_CODE)
    assert (answer.status_code, answer.json()["code"]) == (400, "channel_ended")
    assert CHANNELS_KEY not in client.session


def test_the_form_works_without_javascript(event, presale):
    client = visitor(event)
    answer = client.post(f"/events/{event.id}/code", {"code": PRESALE_CODE})
    assert (answer.status_code, answer["Location"]) == (303, f"/events/{event.id}/")
    page = client.get(answer["Location"])
    assert b"Unlocked: Members presale" in page.content
    assert client.session[CHANNELS_KEY] == {str(event.id): [presale.pk]}


def test_wrong_codes_are_limited_per_session(event, presale, settings):
    settings.SEAT_CODE_ATTEMPTS_PER_SESSION = 3
    client = visitor(event)
    for _ in range(3):
        assert enter(client, event, "guess-123").status_code == 400
    refused = enter(client, event, PRESALE_CODE)  # even the right one, for now
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 500 <= int(refused["Retry-After"]) <= 600
    assert CHANNELS_KEY not in client.session
    # Another browser is not held up by this one.
    assert enter(visitor(event), event, PRESALE_CODE).status_code == 200
    outcomes = list(
        ChannelAccess.objects.order_by("id").values_list("outcome", flat=True)
    )
    assert outcomes == ["wrong", "wrong", "wrong", "limited", "unlocked"]


def test_wrong_codes_are_limited_per_client_address(event, presale, settings):
    settings.SEAT_CODE_ATTEMPTS_PER_SESSION = 0
    settings.SEAT_CODE_ATTEMPTS_PER_CLIENT = 4
    for _ in range(4):
        assert enter(visitor(event), event, "guess-123").status_code == 400
    # A fresh session from the same address: still refused.
    assert enter(visitor(event), event, PRESALE_CODE).status_code == 429


def test_the_code_form_needs_its_csrf_token(event, presale):
    client = Client(enforce_csrf_checks=True)
    client.get(f"/events/{event.id}/")
    assert enter(client, event, PRESALE_CODE).status_code == 403
    assert not ChannelAccess.objects.exists()


@pytest.fixture
def staff_client(db) -> Client:
    user = get_user_model().objects.create_user(
        "sam", password="pw-12345678", is_staff=True
    )
    client = Client()
    client.force_login(user)
    return client


def test_the_channels_page_is_for_staff_only(event, presale):
    page = f"/box-office/events/{event.id}/channels/"
    assert Client().get(page).status_code == 302  # to the login page
    user = get_user_model().objects.create_user("pat", password="pw-12345678")
    client = Client()
    client.force_login(user)
    assert client.get(page).status_code == 302
    answer = client.post(page, {"action": "delete", "channel": presale.pk})
    assert answer.status_code == 302
    assert SalesChannel.objects.filter(pk=presale.pk).exists()


def test_staff_open_a_channel_keep_seats_and_see_its_use(event, staff_client):
    page = f"/box-office/events/{event.id}/channels/"
    assert b"Channels of Test Night" in staff_client.get("/dashboard/").content
    opened = staff_client.post(
        page, {"action": "open", "name": "Press", "code": "press-2026"}
    )
    assert opened.status_code == 200
    assert b"press-2026" in opened.content  # shown this once
    assert b"press-2026" not in staff_client.get(page).content
    press = SalesChannel.objects.get(event=event, name="Press")
    kept = staff_client.post(
        page, {"action": "keep", "channel": press.pk, "rows": "B", "labels": "A1"}
    )
    assert b"6 seat(s) now kept" in kept.content
    assert Seat.objects.filter(event=event, channel=press).count() == 6
    enter(visitor(event), event, "press-2026")
    listing = staff_client.get(page).content.decode()
    assert "Press" in listing and "Unlocked" in listing
    assert '<td class="num">6</td>' in listing
    back = staff_client.post(page, {"action": "keep", "channel": "", "labels": "A1"})
    assert b"1 seat(s) now kept for general sale" in back.content
    bad = staff_client.post(
        page, {"action": "keep", "channel": press.pk, "labels": "Z9"}
    )
    assert bad.status_code == 400 and b"No such seat: Z9" in bad.content


def test_the_channels_page_needs_its_csrf_token(event):
    user = get_user_model().objects.create_user(
        "kim", password="pw-12345678", is_staff=True
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    answer = client.post(
        f"/box-office/events/{event.id}/channels/",
        {"action": "open", "name": "Press", "code": "press-2026"},
    )
    assert answer.status_code == 403
    assert not SalesChannel.objects.exists()


@pytest.mark.parametrize("body", ["[" * 3000, "{not json", "5", '{"code": 7}'])
def test_a_malformed_code_body_is_a_wrong_code_never_a_crash(event, presale, body):
    client = visitor(event)

    answer = client.post(
        f"/events/{event.id}/code", body, content_type="application/json"
    )

    assert answer.status_code == 400, answer.content
    assert CHANNELS_KEY not in client.session
