"""The Grand Hall in Chromium: "Find seats together" gives the middle of the
best category's front row, and every seat list comes in plan order (rows
front to back, seats by number), on a desktop and on a phone."""

from __future__ import annotations

import re
from statistics import mean

import pytest
from playwright.sync_api import expect

from devtools.processes import live_server
from tests.frontend.pages import FAST, open_map, seat_ids_with_status, seat_layout
from tests.frontend.test_plan_map_browser import PHONE

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1366, "height": 800}}
# One demo event per device, so neither sees the other's seats held.
DEVICES = {"desktop": (DESKTOP, 1), "phone": (PHONE, 2)}
# The Grand Hall's rows as its plan lists them, front to back.
PLAN_ROWS = [f"Stalls, row {r}" for r in "ABCDEFGHIJKLM"] + [
    f"Balcony, row {r}" for r in "ABCDEF"
]


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    with live_server(
        tmp_path_factory.mktemp("best"),
        seeds=[(), ("--force", "--name", "Phone Concert")],
        SEAT_HOLD_SECONDS="120",
    ) as server:
        yield server


def press(page, locator, device: str) -> None:
    locator.tap() if device == "phone" else locator.click()


@pytest.mark.parametrize("device", DEVICES)
def test_four_together_are_the_middle_of_the_premium_front_row(browser, hall, device):
    context_args, event_id = DEVICES[device]
    page = open_map(browser, hall, event_id, **context_args)
    page.select_option("#best-count", "4")
    press(page, page.get_by_role("button", name="Find seats"), device)
    expect(page.locator('.seat[data-status="held-by-me"]')).to_have_count(
        4, timeout=FAST
    )

    layout = seat_layout(hall, event_id)
    chosen = [layout[i] for i in seat_ids_with_status(page, "held-by-me")]
    rows = {(s["section"], s["row"]) for s in chosen}
    assert rows == {("Stalls", "A")}, chosen
    assert {s["category"] for s in chosen} == {"premium"}
    row = [s for s in layout.values() if (s["section"], s["row"]) == ("Stalls", "A")]
    numbers = sorted(s["number"] for s in chosen)
    assert numbers == list(range(numbers[0], numbers[0] + 4)), "side by side"
    # Centred on the row: as many seats of the row left of them as right.
    left = sum(1 for s in row if s["number"] < numbers[0])
    right = sum(1 for s in row if s["number"] > numbers[-1])
    assert abs(left - right) <= 1, (left, right)
    middle_x = (min(s["x"] for s in row) + max(s["x"] for s in row)) / 2
    assert abs(mean(s["x"] for s in chosen) - middle_x) < 30, "within a seat"

    # "Your seats" lists them by number.
    labels = page.locator("#my-seats .my-seat-label").all_inner_texts()
    assert labels == [f"Stalls A{n}" for n in numbers]
    page.context.close()


@pytest.mark.parametrize("device", DEVICES)
def test_the_list_view_has_rows_front_to_back_and_seats_by_number(
    browser, hall, device
):
    context_args, event_id = DEVICES[device]
    page = open_map(browser, hall, event_id, **context_args)
    press(page, page.locator("#seat-list summary"), device)
    groups = page.locator("#seat-list .row-group")
    expect(groups).to_have_count(len(PLAN_ROWS), timeout=FAST)
    # Text content, not inner text: rows off screen may skip rendering.
    headings = [
        re.sub(r", (\d+|none) available$", "", h)
        for h in groups.locator("h3").all_text_contents()
    ]
    assert headings == PLAN_ROWS
    for i, heading in enumerate(headings):
        buttons = groups.nth(i).locator("button.list-seat")
        listed = [int(b.split()[0]) for b in buttons.all_text_contents()]
        assert listed == sorted(listed), (heading, listed)
        assert listed, heading
    page.context.close()
