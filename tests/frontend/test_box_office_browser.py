"""Staff at the box office, a customer on the public map: every step seen live."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.frontend.pages import FAST, log_in, open_map, seat, seat_layout

pytestmark = pytest.mark.browser


def test_block_a_row_sell_two_seats_and_cancel_one_while_a_customer_watches(
    browser, live_server_proc
):
    layout = seat_layout(live_server_proc)
    row_a = sorted(i for i, s in layout.items() if s["row"] == "A")
    row_b = sorted(i for i, s in layout.items() if s["row"] == "B")
    first, second = row_b[3], row_b[4]

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    dashboard = log_in(staff, live_server_proc, "admin", "staff-password-1")
    expect(dashboard).to_have_url(re.compile("/dashboard/$"))
    office = staff.new_page()
    office.on("dialog", lambda dialog: dialog.accept())
    office.goto(f"{live_server_proc.url}/box-office/events/1/")
    expect(office.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )
    customer = open_map(browser, live_server_proc)

    # Block row A with a reason: one click, "Whole row", a reason, Block.
    seat(office, row_a[0]).click()
    office.click("[data-bo=row]")
    expect(office.locator(".seat[data-selected]")).to_have_count(len(row_a))
    office.fill("#bo-reason", "press")
    office.click("[data-bo=block]")
    for seat_id in row_a:
        expect(seat(customer, seat_id)).to_have_attribute(
            "data-status", "blocked", timeout=FAST
        )
    expect(customer.locator('[data-legend-count="blocked"]')).to_have_text(
        str(len(row_a))
    )
    seat(customer, row_a[0]).click()
    expect(customer.locator("#message")).to_have_text(
        f"Seat {layout[row_a[0]]['label']} is not on sale."
    )

    # Sell two seats of row B to a walk-in.
    office.click("[data-bo=clear]")
    seat(office, first).click()
    seat(office, second).click()
    office.fill("#bo-customer", "Walk-in Wanda")
    office.fill("#bo-payment", "cash")
    office.click("[data-bo=sell]")
    for seat_id in (first, second):
        expect(seat(customer, seat_id)).to_have_attribute(
            "data-status", "booked", timeout=FAST
        )
    link = office.locator("#bo-result a")
    expect(link).to_contain_text("Booking BK-")
    reference = re.search(r"BK-[0-9A-Z]{8}", link.inner_text()).group(0)

    # Cancel one of them: the customer sees it free again.
    seat(office, first).click()
    expect(office.locator("[data-bo=cancel]")).to_be_enabled()
    office.click("[data-bo=cancel]")
    expect(seat(customer, first)).to_have_attribute(
        "data-status", "available", timeout=FAST
    )
    expect(seat(customer, second)).to_have_attribute("data-status", "booked")

    # One seat selected: its history, newest first.
    office.click("[data-bo=clear]")
    seat(office, first).click()
    history = office.locator("#bo-history li")
    expect(history.first).to_contain_text("cancelled by admin", timeout=FAST)
    expect(history.nth(1)).to_contain_text("booked by admin: cash")

    # The printable confirmation and the dashboard's report agree with the map.
    confirmation = staff.new_page()
    confirmation.goto(f"{live_server_proc.url}/box-office/bookings/{reference}/")
    expect(confirmation.locator("h1")).to_have_text(f"Booking {reference}")
    # Both seats stay on it, the cancelled one marked (test_tickets_browser.py).
    expect(confirmation.locator(".confirmation-seats li")).to_have_count(2)
    expect(confirmation.locator(".confirmation-seats .seat-cancelled")).to_have_count(1)
    dashboard.reload()
    totals = dashboard.locator("#report-table tfoot tr td")
    expect(totals.nth(3)).to_have_text("1", timeout=FAST)  # booked
    expect(totals.nth(4)).to_have_text(str(len(row_a)))  # blocked
    csv_link = dashboard.locator("#report-csv")
    expect(csv_link).to_have_attribute("href", "/api/staff/events/1/bookings.csv")

    customer.context.close()
    staff.close()


def test_keep_two_seats_for_a_caller_then_sell_them(browser, live_server_proc):
    layout = seat_layout(live_server_proc)
    row_c = sorted(i for i, s in layout.items() if s["row"] == "C")
    first, second = row_c[2], row_c[3]
    until = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    dashboard = log_in(staff, live_server_proc, "admin", "staff-password-1")
    office = staff.new_page()
    office.goto(f"{live_server_proc.url}/box-office/events/1/")
    expect(office.locator("#connection-status")).to_have_attribute(
        "data-state", "open", timeout=20_000
    )
    customer = open_map(browser, live_server_proc)

    seat(office, first).click()
    seat(office, second).click()
    office.fill("#bo-held-for", "Mrs Smith, phoning back")
    office.fill("#bo-until", until)
    office.click("[data-bo=keep]")
    expect(office.locator("#message")).to_contain_text(
        "Kept 2 seats for Mrs Smith, phoning back until", timeout=FAST
    )
    for seat_id in (first, second):
        expect(seat(customer, seat_id)).to_have_attribute(
            "data-status", "held", timeout=FAST
        )
    # The public map never learns the name.
    assert "Smith" not in customer.content()

    # The dashboard says whom and until when.
    row = dashboard.locator("#active-holds tr[data-hold-id]", has_text="Mrs Smith")
    expect(row).to_contain_text("Mrs Smith, phoning back, until", timeout=FAST)

    # She calls back and pays: the box office sells the kept seats.
    seat(office, first).click()
    seat(office, second).click()
    office.fill("#bo-customer", "Mrs Smith")
    office.fill("#bo-payment", "card by phone")
    office.click("[data-bo=sell]")
    for seat_id in (first, second):
        expect(seat(customer, seat_id)).to_have_attribute(
            "data-status", "booked", timeout=FAST
        )
    expect(office.locator("#bo-result a")).to_contain_text("Booking BK-")

    customer.context.close()
    staff.close()


def test_the_box_office_is_for_staff_only(browser, live_server_proc):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server_proc.url}/box-office/events/1/")
    expect(page).to_have_url(re.compile("/admin/login/"))
    context.close()
