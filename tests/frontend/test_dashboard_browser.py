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
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )

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


# "Sat 5 Dec 2026, 19:30": the public pages' Django format "D j M Y, H:i".
SITE_DATE = re.compile(r"^[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d$")
DUPLICATE_CHANGES = """() => {
  const keys = [...document.querySelectorAll('#feed li')].map(
    (li) => `${li.dataset.eventId}:${li.dataset.version}`);
  return keys.length - new Set(keys).size;
}"""


def test_the_dashboard_opens_with_the_last_hours_changes(browser, live_server_proc):
    # A change made before anyone opens the dashboard.
    buyer = open_map(browser, live_server_proc)
    seat(buyer, 30).click()
    expect(seat(buyer, 30)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    held_at = map_version(buyer)

    staff = browser.new_context()
    page = log_in(staff, live_server_proc, "admin", "staff-password-1")
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )
    before = page.locator(f'#feed li[data-reason=held][data-version="{held_at}"]')
    expect(before).to_have_count(1, timeout=FAST)
    label = seat_layout(live_server_proc)[30]["label"]
    expect(before.locator(".feed-seats")).to_have_text(label)
    expect(before.locator(".feed-time")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
    expect(page.locator("#activity-chart rect[data-reason=held]")).not_to_have_count(0)
    summary = page.locator("#chart-summary")
    expect(summary).to_contain_text("held")
    expect(summary).not_to_contain_text("undefined")
    expect(
        page.locator("#event-counts tbody tr").first.locator("td").nth(1)
    ).to_have_text(SITE_DATE)

    # Then live, with no change twice and none missing.
    seat(buyer, 31).click()
    expect(seat(buyer, 31)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    live = page.locator(f'#feed li[data-version="{map_version(buyer)}"]')
    expect(live).to_have_count(1, timeout=FAST)
    # Newest first (seat 30's short hold may have run out since, and its
    # expiry be newer still).
    versions = page.locator("#feed li").evaluate_all(
        "items => items.map((li) => Number(li.dataset.version))"
    )
    assert versions == sorted(versions, reverse=True), versions
    # A reconnect brings the history again; still one entry per change.
    page.reload()
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )
    expect(before).to_have_count(1, timeout=FAST)
    assert page.evaluate(DUPLICATE_CHANGES) == 0
    expect(page.locator("#chart-summary")).not_to_contain_text("undefined")
    buyer.context.close()
    staff.close()


def test_staff_have_a_link_to_the_dashboard_on_every_page(browser, live_server_proc):
    staff = browser.new_context()
    page = log_in(staff, live_server_proc, "admin", "staff-password-1")
    for path in ("/", "/events/1/", "/box-office/events/1/"):
        page.goto(f"{live_server_proc.url}{path}")
        link = page.locator("#staff-dashboard-link")
        expect(link).to_be_visible()
    page.locator("#staff-dashboard-link").click()
    expect(page).to_have_url(re.compile("/dashboard/$"))
    expect(page.locator("#staff-dashboard-link")).to_have_attribute(
        "aria-current", "page"
    )
    staff.close()

    visitor = browser.new_context()
    page = visitor.new_page()
    for path in ("/", "/events/1/"):
        page.goto(f"{live_server_proc.url}{path}")
        expect(page.locator(".site-name")).to_be_visible()
        expect(page.locator("#staff-dashboard-link")).to_have_count(0)
    visitor.close()


def test_the_dashboard_fits_a_phone(browser, live_server_proc):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = log_in(phone, live_server_proc, "admin", "staff-password-1")
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )
    box_office = page.locator("#event-counts a", has_text="Box office").first
    expect(box_office).to_be_attached(timeout=FAST)
    # Activity comes before the tables.
    assert page.evaluate(
        "() => document.getElementById('feed-title').compareDocumentPosition("
        "document.getElementById('events-title')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    wide = page.evaluate(
        "() => [document.documentElement.scrollWidth,"
        " document.documentElement.clientWidth]"
    )
    assert wide[0] <= wide[1], wide
    box_office.scroll_into_view_if_needed()
    expect(box_office).to_be_in_viewport()
    box = box_office.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    for table in ("#event-counts", "#active-holds", "#report-table"):
        overflow = page.evaluate(
            f"() => {{ const t = document.querySelector('{table}');"
            " return t.parentElement.scrollWidth - t.parentElement.clientWidth; }"
        )
        assert overflow <= 0, (table, overflow)
    phone.close()
