"""The plan editor in Chromium: a hall drawn from nothing, published, sold from.

Staff make an empty plan, draw a curved block of ten rows with an aisle, a
balcony zone and a wheelchair row, undo and redo, publish it, and an event made
from it draws those seats on its live map in another browser.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from itertools import pairwise

import pytest
from playwright.sync_api import expect

from devtools.processes import LiveServer, live_server
from tests.frontend.pages import log_in, open_map, serious_violations

pytestmark = pytest.mark.browser

STALLS = 10 * 14  # ten curved rows of fourteen
BALCONY = 2 * 10
WHEELCHAIR_ROW = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("editor"), seeds=()) as server:
        yield server


def new_plan(page) -> dict:
    """An empty plan made through the staff API from a logged-in page."""
    return page.evaluate(
        """async () => {
          const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
          const response = await fetch('/api/staff/plans', {
            method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
            body: JSON.stringify({name: 'Test Hall'}),
          });
          return {status: response.status, ...(await response.json())};
        }"""
    )


def add_rows(page, **fields: str) -> None:
    page.click('[data-tool="rows"]')
    form = page.locator("#tool-rows")
    for name, value in fields.items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()


def balcony_top(page) -> float:
    """The plan y of the balcony's first seat, as the event's seats say now."""
    return page.evaluate(
        """async () => {
          const id = document.getElementById('seatmap-app').dataset.eventId;
          const map = await (await fetch(`/api/events/${id}/seats/`)).json();
          return map.seats.find((s) => s.section === 'Balcony').y;
        }"""
    )


def seats_drawn(page) -> int:
    return page.locator("#editor-map .seats .item").count()


def test_staff_draw_publish_and_sell_a_new_hall(browser, server):
    staff = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = log_in(staff, server, "admin", "staff-password-1")
    expect(page.locator("input[name=csrfmiddlewaretoken]").first).to_be_attached()
    created = new_plan(page)
    assert created["status"] == 201, created
    troubles: list[str] = []
    page.on("console", lambda m: troubles.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: troubles.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: troubles.append(f"failed: {r.url} {r.failure}"))
    page.goto(server.url + created["edit_url"])
    editor = page.locator("#editor-app")
    try:
        expect(editor).to_have_attribute("data-ready", "true", timeout=30_000)
    except AssertionError:
        # Seen twice in full runs on a slow day, never alone: the page still
        # "Loading…" after 30 s. Said as a warning (the run's summary shows
        # it) with what the browser reported, and the page loaded again: the
        # editor must then be ready, or the test fails.
        warnings.warn(
            "the plan editor's first load did not finish in 30 s; reloaded. "
            f"What the page said: {troubles}",
            stacklevel=1,
        )
        page.reload()
        expect(editor).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(page.locator("#save-state")).to_have_text("Saved")

    # A curved block of ten rows of fourteen, an aisle after the seventh seat.
    add_rows(
        page,
        rows="10",
        seatsPerRow="14",
        shape="arc",
        radius="400",
        aisles="7",
        x="500",
        y="150",
    )
    expect(editor).to_have_attribute("data-seats", str(STALLS))
    row_a = page.evaluate(
        """() => [...document.querySelectorAll('#editor-map .seats .item')]
             .slice(0, 14).map(g => g.getBoundingClientRect().x)"""
    )
    gaps = [b - a for a, b in pairwise(row_a)]
    assert gaps[6] > 1.6 * gaps[0], gaps  # the aisle
    expect(page.locator("#save-state")).to_have_text("Saved", timeout=8_000)

    # A balcony zone, its rows placed by a click on the drawing.
    page.fill("#zone-name", "Balcony")
    page.click("#zone-form button[type=submit]")
    expect(page.locator("#tool-zone option:checked")).to_have_text("Balcony")
    page.click('[data-tool="rows"]')
    page.fill("#rows-count", "2")
    page.fill("#rows-seats", "10")
    page.select_option("#rows-shape", "straight")
    page.fill("#rows-aisles", "")
    frame = page.locator("#editor-map").bounding_box()
    assert frame is not None
    page.mouse.click(frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] - 40)
    expect(editor).to_have_attribute("data-seats", str(STALLS + BALCONY))
    assert page.locator("#counts-body").text_content().count("Balcony") == 1

    # A wheelchair row at the back of the stalls: the new seats come selected.
    page.select_option("#tool-zone", label="Stalls")
    add_rows(page, rows="1", seatsPerRow="6", first="W", x="500", y="520")
    expect(page.locator("#selection-summary")).to_have_text("Selected: 6 seats.")
    page.check("#sel-wheelchair")
    expect(page.locator("#editor-map .is-wheelchair")).to_have_count(WHEELCHAIR_ROW)

    # Undo and redo, by keyboard and by button.
    page.locator("h1").click()
    page.keyboard.press("Control+z")
    expect(page.locator("#editor-map .is-wheelchair")).to_have_count(0)
    page.keyboard.press("Control+Shift+z")
    expect(page.locator("#editor-map .is-wheelchair")).to_have_count(WHEELCHAIR_ROW)
    page.click('[data-action="undo"]')
    page.click('[data-action="redo"]')
    expect(page.locator("#editor-map .is-wheelchair")).to_have_count(WHEELCHAIR_ROW)
    total = STALLS + BALCONY + WHEELCHAIR_ROW
    expect(editor).to_have_attribute("data-seats", str(total))
    expect(page.locator("#save-state")).to_have_text("Saved", timeout=8_000)
    expect(page.locator("#problems-summary")).to_have_text(
        "No problems in the last saved draft."
    )

    assert serious_violations(page) == []

    page.click("#publish-button")
    expect(page.locator("#publish-result")).to_contain_text("Published revision")

    out = server.manage(
        "create_event",
        "--plan",
        str(created["id"]),
        "--name",
        "Opening Night",
        "--starts-at",
        "2030-01-01T20:00",
    )
    found = re.search(r"\(id (\d+)\)", out)
    assert found, out
    event_id = int(found.group(1))
    buyer = open_map(browser, server, event_id)
    expect(buyer.locator("[data-seat-id]")).to_have_count(total)
    expect(buyer.locator(".seat.is-wheelchair")).to_have_count(WHEELCHAIR_ROW)

    # Back in the editor, the published plan links to its event's live map.
    page.reload()
    expect(editor).to_have_attribute("data-ready", "true", timeout=30_000)
    link = page.locator(f'#publish-result a[href="/events/{event_id}/"]')
    expect(link).to_be_visible()

    # The balcony moved and published again: the event's seats move with it,
    # and the open map takes the new plan (plan.changed: a new snapshot).
    version = buyer.locator("#seatmap-app").get_attribute("data-version")
    balcony_y = balcony_top(buyer)
    page.click('[aria-label="Select zone Balcony"]')
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    expect(page.locator("#save-state")).to_have_text("Saved", timeout=8_000)
    page.click("#publish-button")
    expect(page.locator("#publish-result")).to_contain_text("Published revision")
    expect(buyer.locator("#seatmap-app")).not_to_have_attribute(
        "data-version", version or "", timeout=10_000
    )
    assert balcony_top(buyer) > balcony_y

    # Someone else saves meanwhile: the next autosave asks whose draft wins.
    other = page.evaluate(
        """async () => {
          const api = document.getElementById('editor-app').dataset.api;
          const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
          const headers = {'Content-Type': 'application/json', 'X-CSRFToken': token};
          const draft = await (await fetch(api + '/draft')).json();
          const response = await fetch(api + '/draft', {
            method: 'PUT', headers,
            body: JSON.stringify({revision: draft.revision, document: draft.document}),
          });
          return response.status;
        }"""
    )
    assert other == 200
    page.fill("#plan-name", "Test Hall, second draft")
    page.keyboard.press("Tab")
    dialog = page.locator("#conflict-dialog")
    expect(dialog).to_be_visible(timeout=8_000)
    expect(dialog).to_contain_text("Saved by admin")
    dialog.locator('[data-conflict="mine"]').click()
    expect(page.locator("#save-state")).to_have_text("Saved", timeout=8_000)
    expect(page.locator("#plan-title")).to_have_text("Test Hall, second draft")

    # A buyer holds a stalls seat: a draft without the stalls cannot be published.
    buyer.locator('.seat[data-status="available"]').first.click()
    expect(buyer.locator('.seat[data-status="held-by-me"]')).to_have_count(1)
    page.click('[aria-label="Select zone Stalls"]')
    page.keyboard.press("Delete")
    expect(editor).to_have_attribute("data-seats", str(BALCONY))
    page.click("#publish-button")
    expect(page.locator("#publish-result")).to_contain_text(
        "Held or booked seats cannot be removed: Opening Night"
    )
    buyer.context.close()
    staff.close()
