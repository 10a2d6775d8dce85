"""Extending a hold up to its maximum, on a server of its own.

Its holds last 5 s and at most 8 s: long enough that a loaded machine (the
whole suite runs beside it) still extends before a hold runs out, short
enough to see the maximum reached and the hold end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from devtools.processes import LiveServer, live_server
from tests.frontend.pages import FAST, open_map, seat

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def long_holds(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("extend"),
        seeds=[("--rows", "2", "--seats-per-row", "8", "--allow-single-seats")],
        SEAT_HOLD_SECONDS="5",
        SEAT_HOLD_MAX_SECONDS="8",
        SEAT_SWEEP_SECONDS="0.2",
    ) as server:
        yield server


def test_extend_until_the_maximum_then_it_is_offered_no_more(browser, long_holds):
    """Holds last 5 s and at most 8 s here: extending stops at the maximum."""
    a = open_map(browser, long_holds)
    seat(a, 7).click()
    expect(seat(a, 7)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    extend = a.locator("#extend-button")
    note = a.locator("#extend-note")
    # On a loaded machine an extend can come after the hold has run out:
    # then the seat is held again and the extending starts over.
    deadline = time.monotonic() + 40
    while not note.is_visible() and time.monotonic() < deadline:
        if seat(a, 7).get_attribute("data-status") == "available":
            seat(a, 7).click()
        time.sleep(0.3)
        try:
            extend.click(timeout=300)
        except PlaywrightTimeoutError:
            pass  # busy with the previous extend, or at the maximum already
    expect(note).to_be_visible()
    expect(extend).to_be_disabled()
    expect(seat(a, 7)).to_have_attribute("data-status", "held-by-me")
    # The maximum is the end: the hold runs out and says so.
    expect(seat(a, 7)).to_have_attribute("data-status", "available", timeout=15_000)
    expect(a.locator("#message")).to_contain_text("expired")
    expect(a.locator("#extend-note")).to_be_hidden()
    a.context.close()
