"""axe-core on every page a person sees, on a desktop and on a phone: no serious or
critical violation anywhere. The public seat map is checked where it is exercised
(test_seat_map_browser.py, test_plan_map_browser.py, test_phone_bar_browser.py,
test_checkout_browser.py), and its seat numbers, which axe cannot judge inside an SVG,
by test_map_contrast_browser.py; the box office map, as large, on the desktop its staff
use."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from devtools.processes import ADMIN_PASSWORD, LiveServer, live_server
from tests.frontend.pages import log_in, serious_violations
from tests.frontend.test_tickets_browser import sell_two_and_cancel_one

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "has_touch": True,
        "is_mobile": True,
    },
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[LiveServer]:
    """Two events: the demo hall, and a grid whose waiting room is on."""
    with live_server(
        tmp_path_factory.mktemp("every-page"),
        seeds=[(), ("--force", "--name", "Queue Night", "--rows", "3")],
        SEAT_HOLD_SECONDS="120",
    ) as server:
        server.manage("waiting_room", "2", "--on", "--opens-in", "600")
        yield server


@pytest.fixture(scope="module")
def staff_state(browser, site) -> Iterator[dict]:
    """A logged-in staff session with one sale, one of its two seats cancelled."""
    context = browser.new_context(**VIEWPORTS["desktop"])
    log_in(context, site, "admin", ADMIN_PASSWORD).wait_for_url(
        re.compile("/dashboard/$")
    )
    reference = sell_two_and_cancel_one(context, site, 30, 31)
    state = context.storage_state()
    context.close()
    yield {"storage": state, "reference": reference}


def public_pages() -> list[tuple[str, str]]:
    return [
        ("event list", "/"),
        ("waiting page", "/events/2/"),
    ]


def staff_pages(reference: str, device: str) -> list[tuple[str, str]]:
    office = [("box office", "/box-office/events/1/")] if device == "desktop" else []
    return [
        ("dashboard", "/dashboard/"),
        *office,
        ("booking lookup", f"/box-office/bookings/?q={reference}"),
        ("confirmation", f"/box-office/bookings/{reference}/"),
        ("ticket", f"/box-office/bookings/{reference}/tickets/31/"),
    ]


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_no_page_has_a_serious_accessibility_violation(
    browser, site, staff_state, device
):
    found = {}
    public = browser.new_context(**VIEWPORTS[device])
    staff = browser.new_context(
        **VIEWPORTS[device], storage_state=staff_state["storage"]
    )
    pages = [(public, name, path) for name, path in public_pages()]
    pages += [
        (staff, name, path)
        for name, path in staff_pages(staff_state["reference"], device)
    ]
    for context, name, path in pages:
        page = context.new_page()
        page.goto(f"{site.url}{path}")
        expect(page.locator("main")).to_be_visible()
        if page.locator("#connection-status").count():
            expect(page.locator("#connection-status")).to_have_attribute(
                "data-state", "open", timeout=20_000
            )
        assert page.url.startswith(f"{site.url}{path.split('?')[0]}"), (name, page.url)
        # The box office's map is the seat map, checked where it is exercised.
        skip = ("#seat-map",) if name == "box office" else ()
        violations = serious_violations(page, exclude=skip)
        if violations:
            found[name] = violations
        page.close()
    public.close()
    staff.close()
    assert found == {}
