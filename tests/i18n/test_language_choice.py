"""How a visitor's language is chosen, and what changes with it: the words,
the dates and the prices; never the JSON answers."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from seats.services import staff
from tests.conftest import later
from tests.i18n.texts import visible_texts

pytestmark = pytest.mark.django_db

ENGLISH_DATE = re.compile(r"^[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d$")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page(client: Client, url: str = "/", language: str = "en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_browsers_accept_language_chooses_german(event):
    html = page(Client(), language="de-DE,de;q=0.9,en;q=0.5")
    assert '<html lang="de"' in html
    assert "<h1>Veranstaltungen</h1>" in html
    assert "Events" not in visible_texts(html)


def test_a_language_we_do_not_speak_gets_english(event):
    html = page(Client(), language="pt-BR")
    assert '<html lang="en"' in html and "<h1>Events</h1>" in html


def test_the_picker_switches_the_language_for_the_next_pages(event):
    client = Client(enforce_csrf_checks=True)
    html = page(client, f"/events/{event.id}/")
    token = CSRF.search(html.split('id="language-form"')[1]).group(1)
    answer = client.post(
        reverse("set_language"),
        {"language": "fr", "next": f"/events/{event.id}/"}
        | {"csrfmiddlewaretoken": token},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 302 and answer["Location"] == f"/events/{event.id}/"
    # The choice outweighs what the browser asks for.
    html = page(client, "/", language="de")
    assert '<html lang="fr"' in html and "<h1>Événements</h1>" in html
    assert re.search(r'<option value="fr" lang="fr" selected>Français</option>', html)


def test_the_picker_offers_five_languages_each_in_its_own_words(event):
    html = page(Client(), language="nl")
    form = html.split('id="language-form"')[1].split("</form>")[0]
    assert 'method="post"' in html.split('id="language-form"')[0][-40:] + form
    assert "csrfmiddlewaretoken" in form and 'type="submit"' in form
    assert '<label for="language-picker">Taal</label>' in form
    assert re.findall(r'<option value="(\w+)" lang="\w+"[^>]*>([^<]+)<', form) == [
        ("en", "English"),
        ("de", "Deutsch"),
        ("fr", "Français"),
        ("es", "Español"),
        ("nl", "Nederlands"),
    ]
    # CSP-friendly: no inline script (a JSON data block is never run), no inline
    # event handler.
    assert not re.search(
        r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", html
    )
    assert not re.search(r"\son[a-z]+=", html)


def test_dates_follow_the_language_and_machine_dates_do_not(event):
    iso = event.starts_at.isoformat()
    english = page(Client())
    german = page(Client(), language="de")
    spanish = page(Client(), language="es")
    when = re.compile(r'<time class="event-date" datetime="([^"]+)">([^<]+)</time>')
    (machine_en, shown_en), *_ = when.findall(english)
    (machine_de, shown_de), *_ = when.findall(german)
    (_, shown_es), *_ = when.findall(spanish)
    assert machine_en == machine_de == iso
    assert ENGLISH_DATE.match(shown_en), shown_en
    month = event.starts_at.month
    assert shown_de == event.starts_at.strftime(f"%-d. {GERMAN_MONTHS[month]} %Y %H:%M")
    assert f" de {SPANISH_MONTHS[month]} de " in shown_es and " a las " in shown_es


GERMAN_MONTHS = [""] + (
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
).split()
SPANISH_MONTHS = [""] + (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre "
    "noviembre diciembre"
).split()


def test_prices_take_the_languages_decimal_separator(event, seat_ids, client):
    sold = staff.sell_at_box_office(
        event_id=event.id,
        seat_ids=seat_ids[-1:],
        customer_name="Ada",
        staff="ann",
        now=later(0),
    )
    user = get_user_model().objects.create_user("ann", password="pw", is_staff=True)
    client.force_login(user)
    url = reverse("box-office-confirmation", args=[sold.reference])
    total = re.compile(r"<dd>(\d+[.,]\d\d)</dd>")
    assert total.findall(page(client, url)) == ["40.00"]
    assert total.findall(page(client, url, "de")) == ["40,00"]
    assert total.findall(page(client, url, "nl")) == ["40,00"]


def test_the_presale_form_answers_in_the_visitors_language(event, presale):
    client = Client()
    page(client, f"/events/{event.id}/", "de")
    url = reverse("presale-code", args=[event.id])
    client.post(url, {"code": "nope"}, HTTP_ACCEPT_LANGUAGE="de")
    html = page(client, f"/events/{event.id}/", "de")
    assert "Dieser Code schaltet für diese Veranstaltung nichts frei." in html


def test_json_answers_stay_english_whatever_the_language(event, presale):
    client = Client()
    page(client, f"/events/{event.id}/", "de")
    answer = client.post(
        reverse("presale-code", args=[event.id]),
        json.dumps({"code": "nope"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "wrong_code"
    assert body["message"] == "That code does not open anything for this event."
