"""Bookings a box office can stand behind: a sale with one seat cancelled
keeps both on its confirmation, the other's ticket prints a QR code a door
scanner reads as its booking, and Book asks for the buyer where the event
requires one."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from devtools.processes import LiveServer, live_server
from tests.frontend.pages import FAST, log_in, open_map, seat, seat_layout
from tests.frontend.qr import read_qr

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def live_server_proc(tmp_path_factory) -> Iterator[LiveServer]:
    """The shared fixture's hall, with holds that outlast a busy machine's
    clicks between a hold and its booking (the shared one's last 2 s)."""
    with live_server(
        tmp_path_factory.mktemp("tickets"),
        seeds=[("--rows", "6", "--seats-per-row", "12", "--allow-single-seats")],
        SEAT_HOLD_SECONDS="180",
    ) as server:
        yield server


def sell_two_and_cancel_one(staff, server, first: int, second: int) -> str:
    """At the box office map: sell both seats to a walk-in, cancel `first`."""
    office = staff.new_page()
    office.on("dialog", lambda dialog: dialog.accept())
    office.goto(f"{server.url}/box-office/events/1/")
    expect(office.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )
    seat(office, first).click()
    seat(office, second).click()
    office.fill("#bo-customer", "Walk-in Wanda")
    office.click("[data-bo=sell]")
    link = office.locator("#bo-result a")
    expect(link).to_contain_text("Booking BK-", timeout=FAST)
    reference = re.search(r"BK-[0-9A-Z]{8}", link.inner_text()).group(0)
    expect(seat(office, first)).to_have_attribute("data-status", "booked")
    seat(office, first).click()
    expect(office.locator("[data-bo=cancel]")).to_be_enabled()
    office.click("[data-bo=cancel]")
    expect(seat(office, first)).to_have_attribute(
        "data-status", "available", timeout=FAST
    )
    office.close()
    return reference


def test_a_partly_cancelled_sale_and_its_ticket(browser, live_server_proc):
    layout = seat_layout(live_server_proc)
    row_c = sorted(i for i, s in layout.items() if s["row"] == "C")
    first, second = row_c[2], row_c[3]
    staff = browser.new_context(viewport=DESKTOP)
    log_in(staff, live_server_proc, "admin", "staff-password-1").wait_for_url(
        re.compile("/dashboard/$")
    )
    reference = sell_two_and_cancel_one(staff, live_server_proc, first, second)
    logged_in = staff.storage_state()

    for viewport in (DESKTOP, PHONE):
        context = browser.new_context(viewport=viewport, storage_state=logged_in)
        page = context.new_page()
        page.goto(f"{live_server_proc.url}/box-office/bookings/{reference}/")
        seats = page.locator(".confirmation-seats li")
        expect(seats).to_have_count(2)
        cancelled = page.locator(".confirmation-seats li.seat-cancelled")
        expect(cancelled).to_have_count(1)
        expect(cancelled).to_contain_text(layout[first]["label"])
        expect(cancelled).to_contain_text("cancelled")
        expect(cancelled).to_contain_text("refunded")
        expect(cancelled.locator(".ticket-link")).to_have_count(0)
        booked = page.locator(".confirmation-seats li.seat-booked")
        expect(booked).to_contain_text(layout[second]["label"])

        booked.locator(".ticket-link").click()
        expect(page).to_have_url(re.compile(rf"/tickets/{second}/$"))
        expect(page.locator(".ticket .seat-label")).to_have_text(
            layout[second]["label"]
        )
        expect(page.locator(".ticket-reference")).to_have_text(reference)
        expect(page.locator(".ticket-buyer")).to_have_text("Walk-in Wanda")
        qr = page.locator(".ticket-qr")
        expect(qr).to_be_visible()
        # The whole code on screen, square and big enough for a phone's camera.
        box = qr.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        assert abs(box["width"] - box["height"]) < 1 and box["width"] >= 150
        [code] = read_qr(qr.screenshot())
        assert code == f"{reference}/{second}"
        assert code.split("/")[0] == reference
        # Printed on A4, the ticket is one page.
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
        context.close()
    staff.close()


def test_book_asks_for_the_buyer_where_the_event_requires_one(
    browser, live_server_proc
):
    layout = seat_layout(live_server_proc)
    row_e = sorted(i for i, s in layout.items() if s["row"] == "E")
    staff = browser.new_context(viewport=DESKTOP)
    log_in(staff, live_server_proc, "admin", "staff-password-1").wait_for_url(
        re.compile("/dashboard/$")
    )
    # The setting lives in the admin, on the event.
    admin = staff.new_page()
    admin.goto(f"{live_server_proc.url}/admin/seats/event/1/change/")
    admin.select_option("#id_buyer_details", "required")
    admin.click("input[name=_save]")
    expect(admin.locator(".messagelist .success")).to_be_visible()

    for viewport, seat_id in ((DESKTOP, row_e[0]), (PHONE, row_e[2])):
        page = open_map(browser, live_server_proc, viewport=viewport)
        name, email = page.locator("#buyer-name"), page.locator("#buyer-email")
        expect(name).to_have_attribute("required", "")
        seat(page, seat_id).click()
        expect(seat(page, seat_id)).to_have_attribute(
            "data-status", "held-by-me", timeout=FAST
        )
        book = page.locator("#book-button")
        book.scroll_into_view_if_needed()
        book.click()
        expect(page.locator("#message")).to_have_text(
            "Give your name and a valid email address to book."
        )
        expect(seat(page, seat_id)).to_have_attribute("data-status", "held-by-me")
        name.fill("Ada Lovelace")
        email.fill("ada@")  # the browser's own check stops it too
        book.click()
        expect(seat(page, seat_id)).to_have_attribute("data-status", "held-by-me")
        email.fill("ada@example.org")
        book.click()
        expect(page.locator("#booking-result")).to_contain_text(
            # A booking on a machine running the whole suite: up to 15 s.
            "Your booking reference is BK-",
            timeout=15_000,
        )
        reference = re.search(
            r"BK-[0-9A-Z]{8}", page.locator("#booking-result").inner_text()
        ).group(0)
        confirmation = staff.new_page()
        confirmation.goto(f"{live_server_proc.url}/box-office/bookings/{reference}/")
        expect(confirmation.locator(".confirmation-details")).to_contain_text(
            "Ada Lovelace · ada@example.org"
        )
        confirmation.close()
        page.context.close()
    staff.close()
