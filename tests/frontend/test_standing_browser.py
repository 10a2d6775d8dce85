"""A standing floor in two browsers: places taken in one, counted off in the other."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from devtools.processes import LiveServer, live_server
from tests.frontend.pages import FAST, log_in, open_map, serious_violations

pytestmark = pytest.mark.browser

CLUB = "plans/club.seats-plan.json"


@pytest.fixture(scope="module")
def club(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("club"),
        seeds=(),
        commands=[
            (
                "import_plan",
                CLUB,
                "--create-event",
                "Club Night",
                "--starts-at",
                "2030-01-10T20:00",
                "--price",
                "standing=25",
            )
        ],
        # Past the map's one-minute warning, which would replace the
        # messages the tests read.
        SEAT_HOLD_SECONDS="180",
    ) as server:
        yield server


def floor(page):
    return page.locator('.standing-area[data-area="floor"]')


def test_places_taken_in_one_browser_are_counted_off_in_the_other(browser, club):
    a = open_map(browser, club)
    b = open_map(browser, club)
    expect(floor(a)).to_have_attribute(
        "aria-label", "Floor, standing: 800 of 800 places left, 25.00 EUR each"
    )
    expect(floor(b).locator(".standing-count")).to_have_text("800 left")

    floor(a).click()
    form = a.locator("#standing-form")
    expect(form).to_be_visible()
    expect(form.locator(".standing-left")).to_have_text(
        "800 of 800 places left, 25.00 EUR each."
    )
    form.locator("#standing-quantity").fill("4")
    form.locator("button[type=submit]").click()

    expect(floor(b).locator(".standing-count")).to_have_text("796 left", timeout=FAST)
    # The legend explains the floor and the tables, and counts the places.
    expect(b.locator('#flag-legend [data-flag="standing"]')).to_contain_text(
        "choose how many places"
    )
    expect(b.locator('#flag-legend [data-flag="whole-table"]')).to_be_visible()
    expect(
        b.locator('#category-legend [data-category="standing"] .category-count')
    ).to_have_text("796 of 800 available")
    expect(floor(a)).to_have_attribute(
        "aria-label", re.compile(r"796 of 800 places left, 4 held by you")
    )
    expect(form).to_be_hidden()
    expect(a.locator("#my-seats li")).to_have_count(4)
    expect(a.locator("#my-total")).to_have_text("100.00 EUR")
    expect(a.locator("#message")).to_contain_text("Floor 1")

    # Releasing one gives it back to everybody.
    a.locator("#my-seats li").first.get_by_role(
        "button", name=re.compile("Release")
    ).click()
    expect(floor(b).locator(".standing-count")).to_have_text("797 left", timeout=FAST)
    a.context.close()
    b.context.close()


def test_a_standing_area_is_picked_with_the_keyboard_and_too_many_is_refused(
    browser, club
):
    page = open_map(browser, club)
    floor(page).focus()
    page.keyboard.press("Enter")
    quantity = page.locator("#standing-quantity")
    expect(quantity).to_be_focused()
    # More than one person may hold: the form's bound, and the server's answer.
    assert quantity.get_attribute("max") == "10"
    quantity.fill("11")
    page.locator("#standing-form button[type=submit]").click()
    expect(page.locator("#my-seats li")).to_have_count(0)
    assert serious_violations(page) == []
    page.context.close()


def test_the_box_office_sells_standing_places_while_a_buyer_watches(browser, club):
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    log_in(staff, club, "admin", "staff-password-1")
    office = staff.new_page()
    office.goto(f"{club.url}/box-office/events/1/")
    expect(office.locator("#connection-status")).to_have_attribute(
        "data-state", "open", timeout=20_000
    )
    buyer = open_map(browser, club)
    before = int(floor(buyer).locator(".standing-count").text_content().split()[0])

    floor(office).click()
    office.fill("#standing-quantity", "12")  # more than one buyer may hold
    office.click("#standing-form button[type=submit]")
    expect(office.locator("#bo-selection")).to_contain_text("(12)")
    office.fill("#bo-customer", "Group booking")
    office.click("[data-bo=sell]")

    expect(floor(buyer).locator(".standing-count")).to_have_text(
        f"{before - 12} left", timeout=FAST
    )
    expect(office.locator("#bo-result")).to_contain_text("BK-")
    staff.close()
    buyer.context.close()


def table_seats(page, table: str) -> list[int]:
    return page.evaluate(
        """async (table) => {
          const response = await fetch('/api/events/1/seats/');
          const map = await response.json();
          return map.seats.filter((s) => s.table === table).map((s) => s.id);
        }""",
        table,
    )


def test_one_click_holds_a_whole_table_and_a_second_browser_sees_it(browser, club):
    a = open_map(browser, club)
    b = open_map(browser, club)
    ids = table_seats(a, "table-2")
    assert len(ids) == 8

    a.locator(f'.seat[data-seat-id="{ids[3]}"]').click()

    for seat_id in ids:
        expect(b.locator(f'.seat[data-seat-id="{seat_id}"]')).to_have_attribute(
            "data-status", "held", timeout=FAST
        )
    expect(a.locator("#my-seats li")).to_have_count(8)
    # A click on any of its seats gives the whole table back.
    a.locator(f'.seat[data-seat-id="{ids[0]}"]').click()
    expect(b.locator(f'.seat[data-seat-id="{ids[5]}"]')).to_have_attribute(
        "data-status", "available", timeout=FAST
    )
    expect(a.locator("#my-seats li")).to_have_count(0)
    a.context.close()
    b.context.close()
