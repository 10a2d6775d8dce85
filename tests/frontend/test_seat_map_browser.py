"""Two people, two browser contexts, one seat map: what each of them sees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

FAST = 1_500  # ms: "within a blink", with room for a loaded machine


def open_map(browser, server, event_id: int = 1) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/events/{event_id}/")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "open")
    expect(page.locator("[data-seat-id]").first).to_be_visible()
    return page


def seat(page: Page, seat_id: int):
    return page.locator(f'.seat[data-seat-id="{seat_id}"]')


@pytest.fixture
def people(browser, live_server_proc):
    a = open_map(browser, live_server_proc)
    b = open_map(browser, live_server_proc)
    yield a, b
    a.context.close()
    b.context.close()


def test_a_hold_is_seen_by_the_other_person_and_expires_for_both(people):
    a, b = people
    seat(a, 1).click()
    expect(seat(a, 1)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    expect(seat(b, 1)).to_have_attribute("data-status", "held", timeout=FAST)

    # B clicking a seat A holds changes nothing and says why.
    seat(b, 1).click()
    expect(b.locator("#message")).to_contain_text(re.compile("taken", re.I))
    expect(seat(a, 1)).to_have_attribute("data-status", "held-by-me")

    # Nobody reloads: the hold runs out (2 s) and both maps show it free.
    expect(seat(a, 1)).to_have_attribute("data-status", "available", timeout=4_000)
    expect(seat(b, 1)).to_have_attribute("data-status", "available", timeout=FAST)
    expect(a.locator("#message")).to_contain_text(re.compile("expired", re.I))


def test_release_and_book_are_seen_by_the_other_person(people):
    a, b = people
    seat(a, 2).click()
    expect(seat(b, 2)).to_have_attribute("data-status", "held", timeout=FAST)
    seat(a, 2).click()
    expect(seat(b, 2)).to_have_attribute("data-status", "available", timeout=FAST)

    seat(a, 3).click()
    expect(seat(a, 3)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    a.locator("#book-button").click()
    expect(seat(a, 3)).to_have_attribute("data-status", "booked", timeout=FAST)
    expect(seat(b, 3)).to_have_attribute("data-status", "booked", timeout=FAST)
    expect(a.locator("#booking-result")).to_contain_text("BK-")


def test_keyboard_only_hold(people):
    a, b = people
    seat(a, 5).focus()
    a.keyboard.press("Enter")
    expect(seat(a, 5)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    expect(seat(b, 5)).to_have_attribute("data-status", "held", timeout=FAST)
    a.keyboard.press("Enter")
    expect(seat(b, 5)).to_have_attribute("data-status", "available", timeout=FAST)
