"""No English leaks through on the public pages: each is rendered in English
and in the other four languages, and every text a visitor reads (text nodes,
aria-label, title, placeholder, alt) is compared.

A text leaks when it is an English msgid of the catalogue whose translation
differs, or when it reads the same in English and in the other language
without being that language's own translation, data or in ALLOWED.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from seats.services import staff
from seats.waiting import services as waiting
from tests.conftest import PRESALE_CODE, later
from tests.i18n import po
from tests.i18n.catalogues import LANGUAGES, PLACEHOLDER, po_path
from tests.i18n.texts import letters, visible_texts

pytestmark = pytest.mark.django_db

# Texts that read the same in every language, and why.
ALLOWED = {
    "Seats": "the brand in the header and the titles",
    "English": "the picker names each language in that language",
    "Deutsch": "the picker names each language in that language",
    "Français": "the picker names each language in that language",
    "Español": "the picker names each language in that language",
    "Nederlands": "the picker names each language in that language",
    "Test Night": "the name of the event the pages show (data)",
    "Other Night": "the name of the event with a waiting room (data)",
    "Premium": "a price category's name on the ticket (data)",
    "Stalls": "the seat's section on the ticket (data)",
    "Grace Hopper": "the buyer's name on the confirmation and ticket (data)",
    "grace@example.org": "the buyer's e-mail address on the confirmation (data)",
    "paid in cash": "the box office's payment note (data)",
    "Dashboard": "the staff link in the header: staff pages stay English",
    "Staff": "the label of that staff navigation, English for the same reason",
}
# Titles and details join these with a middle dot ("Test Night · Seats").
JOINER = " · "
# Data that is not a word of ours: booking references and ticket codes.
DATA = re.compile(r"^BK-[0-9A-Z]{8}(/\d+)?$")

Page = Callable[[Client, str], str]


def get(client: Client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    return html


def post(client: Client, url: str, language: str, **data: str) -> None:
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code in (302, 303), (url, response.status_code)


@pytest.fixture
def pages(event, other_event, presale, seat_ids, settings) -> dict[str, Page]:
    """Each public page (and notice) a buyer can reach, by name."""
    seat_map = reverse("seat-map", args=[event.id])
    checkout = reverse("checkout", args=[event.id])
    code = reverse("presale-code", args=[event.id])
    event.buyer_details = "optional"
    event.save(update_fields=["buyer_details"])
    waiting.configure(event_id=other_event.id, enabled=True, opens_at=later(100))
    sold = staff.sell_at_box_office(
        event_id=event.id,
        seat_ids=seat_ids[-2:],
        customer_name="Grace Hopper",
        customer_email="grace@example.org",
        payment_note="paid in cash",
        staff="ann",
        now=later(0),
    )
    staff.cancel_seats(
        event_id=event.id, seat_ids=seat_ids[-1:], staff="ann", now=later(5)
    )
    confirmation = reverse("box-office-confirmation", args=[sold.reference])
    ticket = reverse("box-office-ticket", args=[sold.reference, seat_ids[-2]])

    def shop(url: str | None) -> None:
        event.checkout_url = url or ""
        event.save(update_fields=["checkout_url"])

    def map_after(language: str, client: Client, url: str, **data: str) -> str:
        post(client, url, language, **data)
        return get(client, seat_map, language)

    def short_holds(client: Client, language: str) -> str:
        settings.SEAT_HOLD_SECONDS = 60
        try:
            return get(client, seat_map, language)
        finally:
            settings.SEAT_HOLD_SECONDS = 300

    def with_shop(client: Client, language: str) -> str:
        shop("https://shop.example/checkout")
        try:  # no hold to hand over: back to the map with a notice
            return map_after(language, client, checkout)
        finally:
            shop(None)

    def as_staff(url: str) -> Page:
        def page(client: Client, language: str) -> str:
            user, _ = get_user_model().objects.get_or_create(
                username="ann", defaults={"is_staff": True}
            )
            client.force_login(user)
            return get(client, url, language)

        return page

    return {
        "event list": lambda c, lang: get(c, "/", lang),
        "seat map, no checkout notice": lambda c, lang: map_after(lang, c, checkout),
        "seat map, holds in seconds": short_holds,
        "seat map of a shop, hold ended notice": with_shop,
        "presale, no code": lambda c, lang: map_after(lang, c, code, code=""),
        "presale, wrong code": lambda c, lang: map_after(lang, c, code, code="nope"),
        "presale, unlocked": lambda c, lang: map_after(
            lang, c, code, code=PRESALE_CODE
        ),
        "waiting room": lambda c, lang: get(
            c, reverse("seat-map", args=[other_event.id]), lang
        ),
        "confirmation": as_staff(confirmation),
        "ticket": as_staff(ticket),
    }


def rendered(page: Page, language: str) -> list[str]:
    return visible_texts(page(Client(), language))


def own_texts(language: str) -> list[re.Pattern[str]]:
    """The language's translations, their placeholders matching any data."""
    catalogue = po.messages(po_path(language))
    texts = {text for e in catalogue.values() for text in e.msgstr.values()}
    return [
        re.compile(".+".join(re.escape(bit) for bit in PLACEHOLDER.split(text)))
        for text in texts
    ]


def untranslated_msgids(language: str) -> set[str]:
    """English msgids whose translation in `language` reads otherwise."""
    catalogue = po.messages(po_path(language))
    own = {text for e in catalogue.values() for text in e.msgstr.values()}
    return {
        e.msgid
        for e in catalogue.values()
        if e.msgid_plural is None and e.msgstr[0] != e.msgid
    } - own


def leaks(english: list[str], translated: list[str], language: str) -> list[str]:
    own, untranslated = own_texts(language), untranslated_msgids(language)
    same = set(english) & set(translated)

    def leaked(part: str, unchanged: bool) -> bool:
        if part in ALLOWED or DATA.match(part):
            return False
        if part in untranslated:
            return True
        return (
            unchanged
            and letters(part) > 3
            and not any(pattern.fullmatch(part) for pattern in own)
        )

    return sorted(
        {
            text
            for text in translated
            if any(leaked(part, text in same) for part in text.split(JOINER))
        }
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_text_is_left_on_the_public_pages(pages, language):
    found = {}
    for name, page in pages.items():
        english = rendered(page, "en")
        translated = rendered(page, language)
        assert english != translated, name
        if leaked := leaks(english, translated, language):
            found[name] = leaked
    assert found == {}


def test_the_detector_sees_english_left_in_a_page():
    """Both ways a text leaks: a catalogue msgid shown as is, and an
    English sentence that is in no catalogue."""
    english = ["Choose your seats", "A sentence nobody wrapped", "Test Night"]
    german = ["Choose your seats", "A sentence nobody wrapped", "Test Night"]
    assert leaks(english, german, "de") == [
        "A sentence nobody wrapped",
        "Choose your seats",
    ]
    assert leaks(["Choose your seats"], ["Choose your seats"], "de") == [
        "Choose your seats"
    ]
    assert leaks(["Ticket"], ["Ticket"], "de") == []  # German says Ticket too
