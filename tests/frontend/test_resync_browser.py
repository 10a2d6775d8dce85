"""Long holds: a restart under open pages, the 60 s warning, no seats together."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from devtools.processes import live_server
from tests.frontend.pages import FAST, open_map, seat

pytestmark = pytest.mark.browser

RECONNECTED = 20_000  # ms: jittered backoff, at most a few attempts while it was down

WHILE_DOWN = """
from seats.services import book_seats, hold_seats
hold_seats(event_id=1, holder="h_offline", seat_ids=[5])
hold_seats(event_id=1, holder="h_offline_buyer", seat_ids=[6])
book_seats(event_id=1, holder="h_offline_buyer", seat_ids=[6])
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(
        tmp_path_factory.mktemp("resync"),
        seeds=[("--rows", "4", "--seats-per-row", "6")],
        SEAT_HOLD_SECONDS="120",
        SEAT_SWEEP_SECONDS="0.2",
    ) as server:
        yield server


def test_pages_reconnect_after_a_restart_and_show_changes_made_meanwhile(
    browser, server
):
    a = open_map(browser, server)
    b = open_map(browser, server)
    seat(a, 2).click()
    expect(seat(b, 2)).to_have_attribute("data-status", "held", timeout=FAST)

    server.stop()
    for page in (a, b):
        expect(page.locator("#connection-status")).to_have_attribute(
            "data-state", "reconnecting", timeout=FAST
        )
    server.manage("shell", "-c", WHILE_DOWN)
    server.start()

    for page in (a, b):
        expect(page.locator("#connection-status")).to_have_attribute(
            "data-state", "open", timeout=RECONNECTED
        )
        expect(seat(page, 5)).to_have_attribute("data-status", "held", timeout=FAST)
        expect(seat(page, 6)).to_have_attribute("data-status", "booked")
    # A's own hold survived the restart: same session, same holder.
    expect(seat(a, 2)).to_have_attribute("data-status", "held-by-me")
    expect(seat(b, 2)).to_have_attribute("data-status", "held")
    expect(b.locator('[data-legend-count="held"]')).to_have_text("2")
    a.context.close()
    b.context.close()


def test_the_countdown_warns_once_a_minute_is_left(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.clock.install()  # time flows as usual until the test jumps ahead
    page.goto(f"{server.url}/events/1/")
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )
    seat(page, 13).click()
    # The reply itself, not only the pushed change: the jump below would
    # otherwise time out a request still waiting for it ("Not connected").
    expect(page.locator("#message")).to_contain_text("is held for you", timeout=FAST)
    expect(page.locator("#countdown")).to_be_visible(timeout=FAST)
    expect(page.locator("#countdown")).not_to_have_class(re.compile("is-warning"))

    page.clock.fast_forward("01:01")  # two minutes' hold: now 59 s are left
    expect(page.locator("#countdown")).to_have_class(re.compile("is-warning"))
    expect(page.locator(".countdown-time")).to_have_text(re.compile(r"^00:5\d$"))
    expect(page.locator("#message")).to_have_text(
        "Less than a minute left on your hold. Extend it or book now."
    )
    expect(page.locator("#extend-button")).to_be_enabled()
    context.close()


def test_no_seats_together_says_so(browser, server):
    page = open_map(browser, server)
    page.select_option("#best-count", "8")  # rows have 6 seats
    page.get_by_role("button", name="Find seats").click()
    expect(page.locator("#message")).to_have_text(
        "There are no 8 seats together right now. "
        "Try fewer seats or another price category."
    )
    expect(page.locator('.seat[data-status="held-by-me"]')).to_have_count(0)
    page.context.close()
