"""The seat map in Debian's desktop Chromium, not only in its headless shell.

The other browser tests run in the headless shell (tests/frontend/browsers.py):
the same engine, a third of the CPU. Here two people share a map in the
desktop build (/usr/bin/chromium, the browser a buyer runs) and see each
other's holds and releases pushed, and axe finds nothing serious.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.frontend.browsers import DESKTOP_CHROMIUM, SharedChromium, mark, unmark
from tests.frontend.pages import FAST, open_map, seat, serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(_chromium: SharedChromium):
    desktop = _chromium.launch(DESKTOP_CHROMIUM)  # marks the loop
    try:
        yield desktop
    finally:
        mark()
        try:
            desktop.close()
        finally:
            unmark()


def test_two_people_see_each_others_holds_and_releases(browser, live_server_proc):
    a = open_map(browser, live_server_proc)
    b = open_map(browser, live_server_proc)
    seat(a, 5).click()
    expect(seat(a, 5)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    expect(seat(b, 5)).to_have_attribute("data-status", "held", timeout=FAST)
    seat(a, 5).click()
    expect(seat(b, 5)).to_have_attribute("data-status", "available", timeout=FAST)
    seat(b, 6).click()
    expect(seat(a, 6)).to_have_attribute("data-status", "held", timeout=FAST)
    assert serious_violations(a) == []
