"""The plan editor's other tools in Chromium: a floor, a table and a stage drawn,
published and sold from; box and shift-click selection, deleted and undone; a
row renamed onto another listed as a problem, its seats marked, and publishing
refused.

One server and one staff page for the module; each test draws a plan of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from devtools.processes import LiveServer, live_server
from tests.frontend.pages import log_in, open_map

pytestmark = pytest.mark.browser

FLOOR = 150  # standing places
TABLE = 6  # seats round the table, sold whole


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("editor-tools"), seeds=()) as server:
        yield server


@pytest.fixture(scope="module")
def staff(browser, server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = log_in(context, server, "admin", "staff-password-1")
    expect(page.locator("input[name=csrfmiddlewaretoken]").first).to_be_attached()
    yield page
    context.close()


def edit_new_plan(page: Page, server: LiveServer, name: str) -> int:
    """An empty plan made through the staff API, open in the editor; its id."""
    created = page.evaluate(
        """async (name) => {
          const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
          const response = await fetch('/api/staff/plans', {
            method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
            body: JSON.stringify({name}),
          });
          return {status: response.status, ...(await response.json())};
        }""",
        name,
    )
    assert created["status"] == 201, created
    page.goto(server.url + created["edit_url"])
    expect(page.locator("#editor-app")).to_have_attribute(
        "data-ready", "true", timeout=10_000
    )
    expect(page.locator("#save-state")).to_have_text("Saved")
    return created["id"]


def use_tool(page: Page, tool: str, **fields: str) -> None:
    """Pick a tool, fill its form and press its button (X and Y given: no click)."""
    page.click(f'[data-tool="{tool}"]')
    form = page.locator(f"#tool-{tool}")
    for name, value in fields.items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()


def saved_without_problems(page: Page) -> None:
    expect(page.locator("#save-state")).to_have_text("Saved", timeout=8_000)
    expect(page.locator("#problems-summary")).to_have_text(
        "No problems in the last saved draft."
    )


def centres(page: Page, selector: str) -> list[tuple[float, float]]:
    """Screen centres of the elements, in document order."""
    return page.eval_on_selector_all(
        selector,
        """els => els.map((e) => {
             const r = e.getBoundingClientRect();
             return [r.x + r.width / 2, r.y + r.height / 2];
           })""",
    )


def test_a_floor_a_table_and_a_stage_are_drawn_published_and_sold(
    browser, server, staff
):
    page = staff
    plan_id = edit_new_plan(page, server, "Club Room")
    editor = page.locator("#editor-app")
    drawing = page.locator("#editor-map")

    # A standing floor: its places are counted, apart from the seats.
    use_tool(page, "standing", name="Floor", capacity=str(FLOOR), x="100", y="100")
    floor = drawing.locator('.item.is-standing[data-id="g:floor"]')
    expect(floor).to_contain_text(f"Floor (standing, {FLOOR})")
    expect(page.locator("#counts-total")).to_have_text(
        f"0 seats, {FLOOR} standing places"
    )
    zone_count = page.locator("#counts-body tr", has_text="Zone: Stalls")
    expect(zone_count.locator("td")).to_have_text(str(FLOOR))
    expect(editor).to_have_attribute("data-seats", "0")

    # A round table sold whole: its seats are drawn round it and counted.
    use_tool(
        page,
        "table",
        name="Table 1",
        seats=str(TABLE),
        shape="round",
        booking="whole",
        x="650",
        y="250",
    )
    table = drawing.locator('.item[data-id="t:table-1"]')
    expect(table.locator(".table-seat")).to_have_count(TABLE)
    expect(editor).to_have_attribute("data-seats", str(TABLE))
    expect(page.locator("#counts-total")).to_have_text(
        f"{TABLE} seats, {FLOOR} standing places"
    )
    expect(zone_count.locator("td")).to_have_text(str(FLOOR + TABLE))
    expect(page.locator("#table-name")).to_have_value("Table 2")

    # A stage: a dark rectangle with its text.
    use_tool(
        page, "label", kind="stage", text="STAGE", width="400", height="60", x="300"
    )
    stage = drawing.locator('.areas .item[data-id="a:0:0"]')
    expect(stage.locator("rect")).to_have_attribute("fill", "#374151")
    expect(stage.locator("text")).to_have_text("STAGE")
    box = stage.bounding_box()
    assert box is not None and box["width"] > 3 * box["height"] > 0, box
    saved_without_problems(page)

    page.click("#publish-button")
    expect(page.locator("#publish-result")).to_contain_text("Published revision")
    out = server.manage(
        "create_event",
        "--plan",
        str(plan_id),
        "--name",
        "Club Opening",
        "--starts-at",
        "2030-01-01T20:00",
    )
    found = re.search(r"\(id (\d+)\)", out)
    assert found, out
    event_id = int(found.group(1))

    buyer = open_map(browser, server, event_id)
    area = buyer.locator('.standing-area[data-area="floor"]')
    expect(area.locator(".standing-count")).to_have_text(f"{FLOOR} left")
    expect(area).to_have_attribute(
        "aria-label", re.compile(rf"^Floor, standing: {FLOOR} of {FLOOR} places left")
    )
    # The plan's stage, not the one drawn for plans without areas.
    expect(buyer.locator("#seat-map .areas text", has_text="STAGE")).to_have_count(1)
    expect(buyer.locator("#seat-map .stage")).to_be_hidden()
    ids = buyer.evaluate(
        """async (id) => {
          const map = await (await fetch(`/api/events/${id}/seats/`)).json();
          return map.seats.filter((s) => s.table === 'table-1').map((s) => s.id);
        }""",
        event_id,
    )
    assert len(ids) == TABLE, ids
    expect(buyer.locator(".seat[data-seat-id]")).to_have_count(TABLE)
    for seat_id in ids:
        expect(buyer.locator(f'.seat[data-seat-id="{seat_id}"]')).to_have_attribute(
            "data-status", "available"
        )

    # One click on one seat holds the whole table.
    buyer.locator(f'.seat[data-seat-id="{ids[2]}"]').click()
    for seat_id in ids:
        expect(buyer.locator(f'.seat[data-seat-id="{seat_id}"]')).to_have_attribute(
            "data-status", "held-by-me"
        )
    expect(buyer.locator("#my-seats li")).to_have_count(TABLE)
    buyer.context.close()


def test_a_box_and_shift_click_select_seats_deleted_and_undone(server, staff):
    page = staff
    edit_new_plan(page, server, "Box Office Hall")
    editor = page.locator("#editor-app")
    summary = page.locator("#selection-summary")
    use_tool(
        page, "rows", rows="2", seatsPerRow="5", shape="straight", aisles="", y="300"
    )
    expect(editor).to_have_attribute("data-seats", "10")
    expect(summary).to_have_text("Selected: 10 seats.")
    page.click('[data-tool="select"]')

    seats = "#editor-map .seats .item"
    points = centres(page, seats)
    row_a, row_b = points[:5], points[5:]
    half = (row_b[0][1] - row_a[0][1]) / 2
    assert half > 5, points
    # From empty space above and left of row A to between the rows: row A only.
    start = (row_a[0][0] - 2 * half, row_a[0][1] - 2 * half)
    end = (row_a[-1][0] + 2 * half, row_a[0][1] + half)
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('.item') === null",
        list(start),
    )
    assert hit, "the box starts on an item"
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()
    expect(summary).to_have_text("Selected: 5 seats.")
    expect(page.locator(f"{seats}.is-selected")).to_have_count(5)
    row_a_ids = page.eval_on_selector_all(
        f"{seats}.is-selected", "els => els.map((e) => e.dataset.id)"
    )
    assert all(i.startswith("s:stalls-a-") for i in row_a_ids), row_a_ids

    # Shift-click adds the first seat of row B.
    page.locator(seats).nth(5).click(modifiers=["Shift"])
    expect(summary).to_have_text("Selected: 6 seats.")
    added = page.locator(seats).nth(5).get_attribute("data-id")
    assert added == "s:stalls-b-1", added

    page.keyboard.press("Delete")
    expect(editor).to_have_attribute("data-seats", "4")
    expect(page.locator(seats)).to_have_count(4)
    expect(summary).to_have_text("Nothing selected.")
    for gone in [*row_a_ids, added]:
        expect(page.locator(f'#editor-map [data-id="{gone}"]')).to_have_count(0)

    page.keyboard.press("Control+z")
    expect(editor).to_have_attribute("data-seats", "10")
    for back in [*row_a_ids, added]:
        expect(page.locator(f'#editor-map [data-id="{back}"]')).to_have_count(1)
    saved_without_problems(page)


def test_a_row_renamed_onto_another_is_a_problem_marked_and_not_published(
    server, staff
):
    page = staff
    edit_new_plan(page, server, "Twin Rows")
    use_tool(
        page, "rows", rows="2", seatsPerRow="4", shape="straight", aisles="", y="300"
    )
    expect(page.locator("#editor-app")).to_have_attribute("data-seats", "8")
    saved_without_problems(page)
    page.click('[data-tool="select"]')

    # Row B renamed A: four seats of row A appear twice in the same zone.
    page.locator('#editor-map [data-id="s:stalls-b-1"]').click()
    expect(page.locator("#selection-summary")).to_have_text("Selected: 1 seat.")
    row_name = page.locator("#sel-row-name")
    expect(row_name).to_have_value("B")
    row_name.fill("A")
    row_name.press("Tab")
    expect(page.locator("#save-state")).to_have_text("Saved", timeout=8_000)
    summary = page.locator("#problems-summary")
    expect(summary).to_have_text(
        "4 problems in the last saved draft (click one to see its seats):"
    )
    problems = page.locator("#problem-list button.problem")
    expect(problems).to_have_count(4)
    expect(problems.first).to_contain_text('row "A", seat "1" appears twice')

    # Clicking it marks the seat it names, and only that one.
    expect(page.locator("#editor-map .is-flagged")).to_have_count(0)
    problems.first.click()
    flagged = page.locator("#editor-map .item.is-flagged")
    expect(flagged).to_have_count(1)
    expect(flagged).to_have_attribute("data-id", "s:stalls-b-1")
    expect(page.locator("#editor-status")).to_contain_text("(1 seat marked)")

    page.click("#publish-button")
    result = page.locator("#publish-result")
    expect(result).to_have_attribute("data-outcome", "refused")
    expect(result).to_have_text(
        "Not published: 4 problems to fix first (listed under Checks)."
    )
    expect(problems).to_have_count(4)
