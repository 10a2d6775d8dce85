"""GET /embed/v1/events/<id>/start: the widget's first call, from a shop's page."""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from embed.visitors import EMBED_KEY
from seats.holders import SESSION_KEY
from seats.waiting import services as waiting
from tests.embed.conftest import SHOP, new_key


def start(client, event_id, *, origin=SHOP, **params):
    headers = {"Origin": origin} if origin is not None else {}
    return client.get(f"/embed/v1/events/{event_id}/start", params, headers=headers)


def no_store_for(response, origin=SHOP):
    # The answer differs per Origin (LocaleMiddleware adds Accept-Language too).
    assert "Origin" in [v.strip() for v in response["Vary"].split(",")]
    assert response["Cache-Control"] == "no-store"
    assert response.get("Access-Control-Allow-Origin") == origin


def test_start_answers_the_visitor_the_socket_and_the_map(client, event, pk):
    response = start(client, event.id, key=pk.key, lang="de")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    no_store_for(response)
    body = response.json()
    assert set(body) == {
        "visitor", "socket", "event", "hold_seconds", "max_per_holder",
        "checkout_url", "waiting_room", "seat_map_url", "lang", "html",
    }  # fmt: skip
    assert body["socket"] == f"/ws/embed/v1/events/{event.id}/"
    assert body["event"] == {
        "id": event.id,
        "name": event.name,
        "starts_at": event.starts_at.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"
        ),
    }
    assert body["hold_seconds"] == 300 and body["max_per_holder"] == 10
    assert body["checkout_url"] is None and body["waiting_room"] is False
    assert body["seat_map_url"] == f"http://testserver/events/{event.id}/"
    assert body["lang"] == "de"
    # The embedded layout: no presale form, no buyer fields, no book button.
    html = body["html"]
    assert 'id="seat-map"' in html and 'id="checkout-button"' in html
    assert "presale-form" not in html and 'id="buyer"' not in html
    assert "book-button" not in html and "csrfmiddlewaretoken" not in html
    # The visitor is a session made for this key, with its holder; no cookie.
    session = SessionStore(session_key=body["visitor"])
    assert session[EMBED_KEY] == pk.pk and session[SESSION_KEY].startswith("h_")
    assert "sessionid" not in response.cookies


def test_start_tells_the_checkout_and_the_waiting_room(client, event, pk):
    event.checkout_url = "https://shop.example/checkout"
    event.save()
    waiting.configure(event_id=event.id, enabled=True, opens_at=timezone.now())
    body = start(client, event.id, key=pk.key).json()
    assert body["checkout_url"] == "https://shop.example/checkout"
    assert body["waiting_room"] is True


@pytest.mark.parametrize(
    ("asked", "used"),
    [("de", "de"), ("FR", "fr"), ("nl-BE", "nl"), ("xx", "en"), ("", "en")],
)
def test_the_language_is_one_offered(client, event, pk, asked, used):
    assert start(client, event.id, key=pk.key, lang=asked).json()["lang"] == used


def test_the_language_list_of_the_settings_wins(client, event, pk, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    assert start(client, event.id, key=pk.key, lang="de").json()["lang"] == "en"
    assert start(client, event.id, key=pk.key, lang="fr").json()["lang"] == "fr"


def test_a_valid_visitor_is_kept(client, event, pk):
    first = start(client, event.id, key=pk.key).json()["visitor"]
    again = start(client, event.id, key=pk.key, visitor=first).json()["visitor"]
    assert again == first


def test_a_visitor_of_another_key_or_a_browser_session_is_replaced(client, event, pk):
    other = new_key(name="other")
    theirs = start(client, event.id, key=other.key).json()["visitor"]
    browser = SessionStore()
    browser[SESSION_KEY] = "h_browser00001"
    browser.create()
    for token in (theirs, browser.session_key, "x" * 32, "nonsense\x00", "z" * 500):
        body = start(client, event.id, key=pk.key, visitor=token).json()
        assert body["visitor"] not in (theirs, browser.session_key, token)
        assert SessionStore(session_key=body["visitor"])[EMBED_KEY] == pk.pk


def test_an_expired_visitor_is_replaced(client, event, pk):
    token = start(client, event.id, key=pk.key).json()["visitor"]
    session = SessionStore(session_key=token)
    session.set_expiry(-10)
    session.save()
    assert start(client, event.id, key=pk.key, visitor=token).json()["visitor"] != token


def refused(response, status, code, origin=SHOP):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    no_store_for(response, origin)
    document = json.loads(response.content)
    assert document["code"] == code and document["status"] == status
    assert document["type"] == f"urn:seats:problem:{code}"
    assert document["title"] and document["detail"]
    return document


def test_refusals_are_problems_the_page_can_read(client, event, other_event, pk):
    one = new_key(events=[event.id], name="one")
    refused(start(client, event.id, key="pk_unknown"), 401, "key_invalid")
    refused(start(client, event.id), 401, "key_invalid")
    pk.revoked_at = timezone.now()
    pk.save()
    refused(start(client, event.id, key=pk.key), 401, "key_invalid")
    evil = "https://evil.example"
    refused(
        start(client, event.id, key=one.key, origin=evil),
        403,
        "origin_not_allowed",
        evil,
    )
    refused(
        start(client, event.id, key=one.key, origin="null"),
        403,
        "origin_not_allowed",
        "null",
    )
    missing = start(client, event.id, key=one.key, origin=None)
    refused(missing, 403, "origin_not_allowed", None)
    a = refused(start(client, other_event.id, key=one.key), 404, "event_not_found")
    b = refused(start(client, 999_999, key=one.key), 404, "event_not_found")
    assert a == b  # never reveals which
    refused(start(client, 2**80, key=one.key), 404, "event_not_found")
    refused(start(client, "abc", key=one.key), 404, "event_not_found")


def test_a_refusal_makes_no_visitor(client, event, pk):
    before = SessionStore.get_model_class().objects.count()
    start(client, event.id, key=pk.key, origin="https://evil.example")
    assert SessionStore.get_model_class().objects.count() == before


def test_the_module_wrapper(client, settings):
    response = client.get("/embed/v1/seat-map.js", headers={"Origin": SHOP})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=300"
    target = "/static/frontend/embed/seat-map.js"
    assert response.content.decode() == (
        f"export * from '{target}';\nimport '{target}';\n"
    )
