"""The staff dashboard in a real browser: live feed, counts, the release button."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.frontend.test_seat_map_browser import FAST, open_map, seat
from tests.processes import LiveServer

pytestmark = pytest.mark.browser


def log_in(context, server, username: str, password: str):
    page = context.new_page()
    page.goto(f"{server.url}/admin/login/?next=/dashboard/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    return page


def test_staff_sees_holds_live_and_can_release_expired(browser, live_server_proc):
    staff = browser.new_context()
    page = log_in(staff, live_server_proc, "admin", "staff-password-1")
    expect(page).to_have_url(re.compile("/dashboard/$"))
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "open")

    buyer = open_map(browser, live_server_proc)
    seat(buyer, 20).click()
    expect(page.locator("#feed li[data-reason=held]").first).to_be_visible(timeout=FAST)
    expect(
        page.locator("#event-counts tr[data-event-id] td[data-col=held]")
    ).to_have_text("1", timeout=FAST)
    expect(page.locator("#active-holds tr[data-hold-id]")).to_have_count(1)

    # Let the sweeper free it, then the button finds nothing left to release.
    expect(page.locator("#feed li[data-reason=expired]").first).to_be_visible(
        timeout=5_000
    )
    page.click("#release-expired")
    expect(page.locator("#release-result")).to_have_text(
        re.compile(r"Released 0 expired")
    )
    buyer.context.close()
    staff.close()


@pytest.fixture(scope="module")
def lazy_sweeper_server(tmp_path_factory):
    """A server whose sweeper would first run in an hour: expired holds wait."""
    server = LiveServer(
        tmp_path_factory.mktemp("lazy"),
        SEAT_HOLD_SECONDS="1",
        SEAT_SWEEP_SECONDS="3600",
    )
    server.manage("migrate", "--noinput", "-v", "0")
    server.manage("seed_demo", "--rows", "2", "--seats-per-row", "6")
    server.manage("ensure_admin")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_button_reports_the_locks_it_released(browser, lazy_sweeper_server):
    staff = browser.new_context()
    page = log_in(staff, lazy_sweeper_server, "admin", "staff-password-1")
    buyer = open_map(browser, lazy_sweeper_server)
    watcher = open_map(browser, lazy_sweeper_server)
    for seat_id in (1, 2):
        seat(buyer, seat_id).click()
        expect(seat(watcher, seat_id)).to_have_attribute("data-status", "held")
    time.sleep(1.5)  # both holds are past their time; nobody has swept

    page.click("#release-expired")
    expect(page.locator("#release-result")).to_have_text("Released 2 expired locks.")
    expect(seat(watcher, 1)).to_have_attribute("data-status", "available", timeout=FAST)
    expect(page.locator("#feed li[data-reason=expired]").first).to_be_visible()
    buyer.context.close()
    watcher.context.close()
    staff.close()


def test_non_staff_are_refused(browser, live_server_proc):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server_proc.url}/dashboard/")
    expect(page).to_have_url(re.compile("/admin/login/"))
    expect(page.locator("#event-counts")).to_have_count(0)
    context.close()
