"""Checkout within thumb's reach: on a phone your seats, total, time left and Book
sit in a bar fixed to the bottom of the screen; a refused tap is answered next to
the seat.

The server sells on the map itself (no shop), holds last long enough to look at them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from devtools.processes import LiveServer, live_server
from tests.frontend.pages import FAST, box, open_map, seat, serious_violations

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "has_touch": True,
    "is_mobile": True,
}
DESKTOP = {"viewport": {"width": 1366, "height": 800}}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("phone-bar"),
        seeds=[("--rows", "6", "--seats-per-row", "10", "--allow-single-seats")],
        SEAT_HOLD_SECONDS="120",
        SEAT_HOLD_MAX_SECONDS="240",
    ) as server:
        yield server


def release_all(page: Page) -> None:
    for button in page.locator("#my-seats button[data-release-seat]").all():
        button.click()
    expect(page.locator("#my-seats li")).to_have_count(0, timeout=FAST)


def test_on_a_phone_the_hold_and_book_sit_in_a_bar_at_the_bottom(browser, server):
    phone = open_map(browser, server, **PHONE)
    seat(phone, 3).tap()
    expect(seat(phone, 3)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    bar = box(phone, ".my-hold")
    # Fixed to the bottom of the screen, without scrolling, the map still above it.
    assert bar["y"] + bar["height"] == pytest.approx(844, abs=1)
    assert bar["height"] < 844 / 2
    assert phone.evaluate("window.scrollY") == 0
    book = box(phone, "#book-button")
    assert bar["y"] <= book["y"] and book["y"] + book["height"] <= 844
    assert book["height"] >= 44  # a thumb's target
    expect(phone.locator("#book-button")).to_be_enabled()
    expect(phone.locator("#my-seats li")).to_have_count(1)
    expect(phone.locator("#countdown")).to_be_visible()
    expect(phone.locator("#my-total")).to_be_visible()
    assert box(phone, "#map-frame")["y"] < bar["y"]
    # The bar stays put while the page scrolls.
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    after = box(phone, ".my-hold")
    assert after["y"] == pytest.approx(bar["y"], abs=1)
    assert serious_violations(phone) == []
    release_all(phone)
    phone.context.close()


def test_a_desktop_keeps_the_panel_beside_the_map(browser, server):
    page = open_map(browser, server, **DESKTOP)
    panel, frame = box(page, ".my-hold"), box(page, "#map-frame")
    assert panel["x"] > frame["x"] + frame["width"] - 1
    page.context.close()


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_refused_tap_is_answered_next_to_the_seat(browser, server, device):
    other = open_map(browser, server, **DESKTOP)
    seat(other, 15).click()
    expect(seat(other, 15)).to_have_attribute("data-status", "held-by-me", timeout=FAST)

    page = open_map(browser, server, **device)
    expect(seat(page, 15)).to_have_attribute("data-status", "held", timeout=FAST)
    target = seat(page, 15)
    if device is PHONE:
        target.tap()
    else:
        target.click()
    note = page.locator("#seat-note")
    expect(note).to_be_visible(timeout=FAST)
    # The panel's status line says the same, for screen readers.
    expect(page.locator("#message")).to_have_text(note.inner_text())
    assert note.get_attribute("data-seat-id") == "15"
    assert note.get_attribute("aria-hidden") == "true"
    spot, where = box(page, '.seat[data-seat-id="15"]'), box(page, "#seat-note")
    seat_x = spot["x"] + spot["width"] / 2
    assert where["x"] <= seat_x <= where["x"] + where["width"]
    gap = min(
        abs(where["y"] + where["height"] - spot["y"]),
        abs(spot["y"] + spot["height"] - where["y"]),
    )
    assert gap <= 12, (spot, where)
    # Within the screen, not below the map.
    assert (
        0 <= where["y"] and where["y"] + where["height"] <= device["viewport"]["height"]
    )
    release_all(other)
    other.context.close()
    page.context.close()
