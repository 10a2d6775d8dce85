"""The staff dashboard in a real browser: live feed, counts, the release button."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from devtools.processes import live_server
from tests.frontend.pages import (
    FAST,
    STOPPED_CLOCK,
    log_in,
    map_version,
    open_map,
    seat,
    seat_layout,
    serious_violations,
    wait_for_push_after,
)

pytestmark = pytest.mark.browser


def test_staff_sees_holds_live_and_can_release_expired(browser, live_server_proc):
    staff = browser.new_context()
    page = log_in(staff, live_server_proc, "admin", "staff-password-1")
    expect(page).to_have_url(re.compile("/dashboard/$"))
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "open")

    buyer = open_map(browser, live_server_proc)
    seat(buyer, 20).click()
    expect(seat(buyer, 20)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    held_at = map_version(buyer)
    expect(page.locator("#feed li[data-reason=held]").first).to_be_visible(timeout=FAST)
    expect(
        page.locator("#event-counts tr[data-event-id] td[data-col=held]")
    ).to_have_text("1", timeout=FAST)
    expect(page.locator("#active-holds tr[data-hold-id]")).to_have_count(1)
    expect(page.locator("#active-holds td.time-left")).to_have_text(
        re.compile(r"^00:0[0-2]$|^expired$")
    )
    # The chart draws this second's hold as a bar of its own.
    bar = page.locator("#activity-chart rect[data-reason=held]").first
    expect(bar).to_have_attribute("data-count", "1", timeout=FAST)
    assert float(bar.get_attribute("height")) > 0
    expect(page.locator('[data-total="held"]')).to_have_text("1")
    expect(page.locator("#chart-summary")).to_contain_text("1 held")

    # Let the sweeper free it: only the server can tell the feed, the counts and the
    # holds table (the page's clock merely shows "expired" in the time-left cell).
    expired = page.locator("#feed li[data-reason=expired]").first
    expect(expired).to_be_visible(timeout=5_000)
    label = seat_layout(live_server_proc)[20]["label"]
    expect(expired.locator(".feed-seats")).to_have_text(label)
    expect(
        page.locator("#event-counts tr[data-event-id] td[data-col=held]")
    ).to_have_text("0", timeout=FAST)
    expect(page.locator("#active-holds tr[data-hold-id]")).to_have_count(0)
    expect(page.locator("#no-holds")).to_be_visible()
    wait_for_push_after(buyer, held_at)
    expect(seat(buyer, 20)).to_have_attribute("data-status", "available")
    # Then the button finds nothing left to release.
    page.click("#release-expired")
    expect(page.locator("#release-result")).to_have_text(
        re.compile(r"Released 0 expired")
    )
    expect(page.locator("#activity-chart rect[data-reason=expired]")).not_to_have_count(
        0
    )
    assert serious_violations(page) == []
    buyer.context.close()
    staff.close()


@pytest.fixture(scope="module")
def lazy_sweeper_server(tmp_path_factory):
    """A server without a sweeper: expired holds wait for the button.

    (A long sweep interval is not enough: each sweep run also aims at the
    expiries due before its next run.)
    """
    with live_server(
        tmp_path_factory.mktemp("lazy"),
        seeds=[("--rows", "2", "--seats-per-row", "6")],
        serve_args=["--no-sweeper"],
        # Long enough that the second click comes before the first hold ends,
        # however busy the machine (both seats then share one expiry).
        SEAT_HOLD_SECONDS="3",
        # No heartbeats: each would set the watcher's stopped clock to the
        # server's, and show the lapsed holds as free before the button.
        SEAT_HEARTBEAT_SECONDS="0",
    ) as server:
        yield server


def test_the_button_reports_the_locks_it_released(browser, lazy_sweeper_server):
    staff = browser.new_context()
    page = log_in(staff, lazy_sweeper_server, "admin", "staff-password-1")
    buyer = open_map(browser, lazy_sweeper_server)
    # The watcher's clock stands still: only the button's release can free its seats.
    watcher = open_map(browser, lazy_sweeper_server, init_script=STOPPED_CLOCK)
    for seat_id in (1, 2):
        seat(buyer, seat_id).click()
        expect(seat(watcher, seat_id)).to_have_attribute("data-status", "held")
    time.sleep(3.5)  # both seats' hold is past its time; nobody has swept
    expect(seat(watcher, 1)).to_have_attribute("data-status", "held")

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
