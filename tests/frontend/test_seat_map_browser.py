"""Two people, two browser contexts, one seat map: what each of them sees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frontend.templatetags.modules import BOOT_SCRIPT
from tests.frontend.pages import (
    FAST,
    STOPPED_CLOCK,
    map_version,
    open_map,
    seat,
    seat_ids_with_status,
    seat_layout,
    serious_violations,
    wait_for_push_after,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def people(browser, live_server_proc):
    a = open_map(browser, live_server_proc)
    b = open_map(browser, live_server_proc)
    yield a, b
    a.context.close()
    b.context.close()


def test_a_hold_is_seen_by_the_other_person_and_expires_for_both(
    people, browser, live_server_proc
):
    a, b = people
    # A third person whose clock stands still: only the server can free seats there.
    c = open_map(browser, live_server_proc, init_script=STOPPED_CLOCK)
    seat(a, 1).click()
    expect(seat(a, 1)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    held_at = map_version(a)  # the hold's change, or a later one
    expect(seat(b, 1)).to_have_attribute("data-status", "held", timeout=FAST)
    expect(seat(c, 1)).to_have_attribute("data-status", "held", timeout=FAST)
    # Announced politely, listed with its price, counted in the legend.
    expect(a.locator("#message")).to_contain_text("Seat A1 is held for you")
    expect(a.locator("#my-seats li")).to_have_text(re.compile(r"A1\s+Premium\s+60.00"))
    expect(a.locator("#my-total")).to_have_text("60.00 EUR")
    expect(b.locator('[data-legend-count="held"]')).to_have_text("1")
    expect(a.locator("#countdown")).to_have_class(re.compile("is-warning"))

    # B clicking a seat A holds changes nothing and says why, naming the seat.
    seat(b, 1).click()
    expect(b.locator("#message")).to_have_text(
        "Seat A1 was just taken by someone else."
    )
    expect(seat(a, 1)).to_have_attribute("data-status", "held-by-me")

    # Nobody reloads: the hold runs out (2 s) and both maps show it free.
    expect(seat(a, 1)).to_have_attribute("data-status", "available", timeout=4_000)
    expect(seat(b, 1)).to_have_attribute("data-status", "available", timeout=FAST)
    expect(a.locator("#message")).to_contain_text(re.compile("expired", re.I))
    expect(a.locator("#countdown")).to_be_hidden()
    # Their clocks may have done that; the server's expiry reached every page too.
    for page in (a, b, c):
        wait_for_push_after(page, held_at)
    expect(seat(c, 1)).to_have_attribute("data-status", "available", timeout=FAST)
    expect(c.locator('[data-legend-count="held"]')).to_have_text("0")
    c.context.close()


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
    expect(a.locator("#booking-result")).to_have_text(
        re.compile(r"^Booked! Seat A3\. Your booking reference is BK-\w+\.$")
    )
    expect(b.locator('[data-legend-count="booked"]')).to_have_text("1")


def test_best_available_holds_adjacent_seats_in_one_row(people, live_server_proc):
    a, b = people
    a.select_option("#best-count", "4")
    a.select_option("#best-category", "standard")
    a.get_by_role("button", name="Find seats").click()
    expect(a.locator('.seat[data-status="held-by-me"]')).to_have_count(4, timeout=FAST)
    # Read while the hold lasts (2 s in this module): what follows may take
    # longer on a loaded machine, and the page then says the hold expired.
    ids = seat_ids_with_status(a, "held-by-me")
    expect(a.locator("#message")).to_contain_text("are held for you")
    expect(a.locator("#my-seats li")).to_have_count(4)
    expect(a.locator("#my-total")).to_have_text("160.00 EUR")
    for seat_id in ids:
        expect(seat(b, seat_id)).to_have_attribute("data-status", "held", timeout=FAST)

    layout = seat_layout(live_server_proc)
    chosen = [layout[i] for i in ids]
    assert len({(s["section"], s["row"]) for s in chosen}) == 1, chosen
    xs = sorted(s["x"] for s in chosen)
    assert xs == list(range(xs[0], xs[0] + 4)), xs
    assert {s["category"] for s in chosen} == {"standard"}


def test_keyboard_only_hold(people):
    a, b = people
    seat(a, 5).focus()
    a.keyboard.press("Enter")
    expect(seat(a, 5)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    expect(seat(b, 5)).to_have_attribute("data-status", "held", timeout=FAST)
    a.keyboard.press("Enter")
    expect(seat(b, 5)).to_have_attribute("data-status", "available", timeout=FAST)

    # Arrow keys move within the map; Space holds too.
    a.keyboard.press("ArrowRight")
    expect(seat(a, 6)).to_be_focused()
    a.keyboard.press("ArrowDown")
    expect(seat(a, 18)).to_be_focused()
    a.keyboard.press(" ")
    expect(seat(b, 18)).to_have_attribute("data-status", "held", timeout=FAST)


def test_seats_have_names_that_say_row_number_price_and_status(people):
    a, _ = people
    expect(seat(a, 1)).to_have_attribute(
        "aria-label", "Row A, seat 1, Premium, 60.00 euros, available"
    )
    expect(seat(a, 61)).to_have_attribute(
        "aria-label", "Row F, seat 1, Standard, 40.00 euros, available"
    )
    expect(a.locator('#category-legend li[data-category="premium"]')).to_have_text(
        re.compile(r"Premium\s+60.00 EUR\s+rows A–C\s+\d+ of 36 available")
    )


def test_list_view_holds_by_keyboard_and_follows_the_other_person(people):
    a, b = people
    for page in (a, b):
        page.locator("#seat-list summary").click()
    button = a.locator('#seat-list [data-list-seat="9"]')
    expect(button).to_have_attribute("aria-label", "Hold seat 9, Premium, 60.00 euros")
    button.focus()
    a.keyboard.press("Enter")
    expect(seat(a, 9)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    expect(a.locator('#seat-list [data-list-seat="9"]')).to_have_count(0)
    expect(b.locator('#seat-list [data-list-seat="9"]')).to_have_count(0, timeout=FAST)
    # Focus stays in the list, on the next seat of the row.
    expect(a.locator('#seat-list [data-list-seat="10"]')).to_be_focused()

    a.get_by_role("button", name="Release seat A9").click()
    expect(b.locator('#seat-list [data-list-seat="9"]')).to_have_count(1, timeout=FAST)
    expect(a.locator("#message")).to_have_text("Seat A9 released.")


def test_no_serious_accessibility_violations_on_the_seat_map(people):
    a, _ = people
    seat(a, 11).click()
    expect(seat(a, 11)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    a.locator("#seat-list summary").click()
    assert serious_violations(a) == []


def test_every_module_the_map_imports_is_preloaded_and_fetched_once(
    browser, live_server_proc
):
    """The page lists its modules up front (frontend/templatetags/modules.py),
    so the browser fetches them all at once instead of wave after wave. The
    list must be exact: the modules a page without it imports, wave after
    wave, are the ones it names; and with it each is fetched once."""
    url = f"{live_server_proc.url}/events/1/"

    def load(*, preloads: bool) -> tuple[list[str], list[str], str]:
        context = browser.new_context()
        page = context.new_page()
        if not preloads:

            def without_preloads(route):
                response = route.fetch()
                html = re.sub(r'<link rel="modulepreload"[^>]*>', "", response.text())
                route.fulfill(response=response, body=html)

            page.route(url, without_preloads)
        fetched: list[str] = []
        # Modules only: boot.js, the classic script before them, is no import.
        page.on(
            "requestfinished",
            lambda r: fetched.append(r.url)
            if r.url.endswith(".js") and not r.url.endswith(f"/{BOOT_SCRIPT}")
            else None,
        )
        page.goto(url)
        # Every module fetched: the imports come wave after wave, so the
        # network is not quiet for half a second before the last.
        page.wait_for_load_state("networkidle")
        listed = page.eval_on_selector_all(
            'link[rel="modulepreload"]', "links => links.map((l) => l.href)"
        )
        entry = page.eval_on_selector('script[type="module"]', "s => s.src")
        context.close()
        return fetched, listed, entry

    imported, none, entry = load(preloads=False)
    fetched, preloaded, _ = load(preloads=True)
    assert none == [] and len(preloaded) > 20, preloaded
    assert sorted(imported) == sorted({entry, *preloaded}), (imported, preloaded)
    assert sorted(fetched) == sorted(imported)  # each once
