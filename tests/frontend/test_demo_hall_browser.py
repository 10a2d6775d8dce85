"""The shipped Grand Hall, end to end: imported from pretix's format by
`seed_demo`, opened on a phone and a desktop, with the seat rules live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from devtools.processes import live_server
from tests.frontend.pages import (
    CAPTURE_SOCKETS,
    FAST,
    open_map,
    png_size,
    screenshot_dir,
    seat,
)
from tests.frontend.test_plan_map_browser import PHONE

pytestmark = pytest.mark.browser

# The map's seats (ids, labels, flags), read once per page by `read_seats`.
SNAPSHOT_SEATS = "window.__seats"


def read_seats(page) -> None:
    page.evaluate(
        "async () => { window.__seats = "
        "JSON.parse(await window.__fullSnapshot()).seats; }"
    )


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    # Plain seed_demo: plans/grand-hall.pretix.json + plans/grand-hall.flags.csv.
    with live_server(
        tmp_path_factory.mktemp("hall"), seeds=[()], SEAT_HOLD_SECONDS="120"
    ) as server:
        yield server


def seat_called(page, label: str):
    seat_id = page.evaluate(
        f"l => {SNAPSHOT_SEATS}.find((s) => s.label === l).id", label
    )
    return seat(page, seat_id)


def tap_until_held(page, label: str) -> None:
    """Tap a seat as a thumb would: a tap on seats too small for a finger
    zooms in closer first, so it may take a second tap (never a third)."""
    for _ in range(2):
        seat_called(page, label).tap()
        try:
            expect(seat_called(page, label)).to_have_attribute(
                "data-status", "held-by-me", timeout=FAST
            )
            return
        except AssertionError:
            continue
    raise AssertionError(f"{label} was never held by tapping it")


def test_phone_and_desktop_share_the_hall_with_its_rules(browser, hall, tmp_path):
    phone = open_map(browser, hall, init_script=CAPTURE_SOCKETS, **PHONE)
    desk = open_map(browser, hall, init_script=CAPTURE_SOCKETS)
    for page in (phone, desk):
        read_seats(page)
    assert phone.evaluate(f"{SNAPSHOT_SEATS}.length") == 515

    # On the phone: zoom into the balcony (its front middle comes at a size a
    # finger can pick) and hold two seats side by side there, one tap each.
    phone.locator("#zone-nav").get_by_role("button", name="Balcony").tap()
    for label in ("Balcony A16", "Balcony A17"):
        tap_until_held(phone, label)
        expect(seat_called(desk, label)).to_have_attribute(
            "data-status", "held", timeout=FAST
        )

    # On the desktop: a wheelchair space, then its companion seat, seen live.
    space = desk.evaluate(
        f"{SNAPSHOT_SEATS}.find((s) => s.wheelchair && "
        f"{SNAPSHOT_SEATS}.filter((c) => c.companion_of === s.id).length === 1)"
    )
    companion = desk.evaluate(
        f"id => {SNAPSHOT_SEATS}.find((c) => c.companion_of === id)", space["id"]
    )
    expect(seat(desk, space["id"])).to_have_attribute(
        "aria-label", re.compile("wheelchair space")
    )
    expect(seat(desk, companion["id"])).to_have_attribute(
        "aria-label", re.compile("companion seat")
    )
    for chosen in (space, companion):
        seat(desk, chosen["id"]).click()
        expect(seat(desk, chosen["id"])).to_have_attribute(
            "data-status", "held-by-me", timeout=FAST
        )
        expect(seat(phone, chosen["id"])).to_have_attribute(
            "data-status", "held", timeout=FAST
        )

    # A hold that would leave one seat alone is refused, naming that seat.
    seat_called(desk, "Stalls A1").click()
    expect(seat_called(desk, "Stalls A1")).to_have_attribute(
        "data-status", "held-by-me", timeout=FAST
    )
    seat_called(desk, "Stalls A3").click()
    expect(desk.locator("#message")).to_contain_text(
        "That would leave seat Stalls A2 on its own"
    )
    expect(seat_called(desk, "Stalls A3")).to_have_attribute("data-status", "available")
    expect(seat_called(phone, "Stalls A3")).to_have_attribute(
        "data-status", "available"
    )

    # "Find seats together" with a wheelchair space: a space and its companion.
    desk.select_option("#best-count", "2")
    desk.get_by_label("With a wheelchair space").check()
    desk.get_by_role("button", name="Find seats").click()
    # 3 held before (a space, its companion, Stalls A1), 2 more now.
    expect(desk.locator('.seat[data-status="held-by-me"]')).to_have_count(
        5, timeout=FAST
    )
    found = desk.evaluate(
        f"ids => ids.map((id) => {SNAPSHOT_SEATS}.find((s) => s.id === id))",
        [
            int(i)
            for i in desk.locator('.seat[data-status="held-by-me"]').evaluate_all(
                "els => els.map((e) => e.dataset.seatId)"
            )
        ],
    )
    spaces = [s for s in found if s["wheelchair"] and s["id"] != space["id"]]
    assert len(spaces) == 1, found
    assert [s["label"] for s in found if s["companion_of"] == spaces[0]["id"]]

    # The README's phone picture: the balcony zoomed in, two seats held.
    shot = screenshot_dir(tmp_path) / "seat-map-phone.png"
    phone.screenshot(path=str(shot))
    assert png_size(shot) == (780, 1688)  # 390 x 844 at a device scale of 2
    for page in (phone, desk):
        page.context.close()
