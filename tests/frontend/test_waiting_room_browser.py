"""Three people in a waiting room: places pushed live, admitted one by one."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from devtools.processes import live_server
from tests.frontend.pages import FAST, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def queue_server(tmp_path_factory):
    with live_server(
        tmp_path_factory.mktemp("queue"),
        seeds=[("--rows", "4", "--seats-per-row", "10", "--allow-single-seats")],
    ) as server:
        yield server


def waiting_page(browser, server):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    page.goto(f"{server.url}/events/1/")
    expect(page.locator("#waiting-app")).to_be_visible()
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )
    expect(page.locator("#position")).not_to_have_attribute("data-position", "")
    return page


def position(page) -> int:
    return int(page.locator("#position").get_attribute("data-position") or 0)


HAND_MADE_HOLD = """async () => {
  const ws = new WebSocket(`ws://${location.host}/ws/events/1/`);
  const frames = [];
  await new Promise((resolve) => {
    ws.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      frames.push(frame);
      const hold = {type: 'hold', seat_ids: [1]};
      if (frame.type === 'snapshot') ws.send(JSON.stringify(hold));
      if (frame.type === 'error' || frame.type === 'hold.ok') resolve();
    };
  });
  ws.close();
  return JSON.stringify(frames[frames.length - 1]);
}"""


def test_three_people_wait_their_turn_and_only_the_admitted_may_hold(
    browser, queue_server
):
    # One admitted at a time, so the line stands still between the steps.
    queue_server.manage(
        "waiting_room",
        *("1", "--on", "--opens-in", "20", "--rate", "60", "--max-admitted", "1"),
    )
    pages = [waiting_page(browser, queue_server) for _ in range(3)]
    # Before the opening: a countdown, and three different places. Early
    # arrivals draw their ranks, so a later one may go ahead of an earlier
    # one, whose page moves back with the next push: once every page counts
    # three waiting, each has heard of all three.
    for page in pages:
        expect(page.locator("#opening")).to_be_visible()
        expect(page.locator("#waiting-count")).to_have_text("3", timeout=FAST)
    assert sorted(position(p) for p in pages) == [1, 2, 3]
    pages.sort(key=position)
    first, second, third = pages

    # A waiting visitor cannot hold a seat, not even with a hand-made request.
    refused = json.loads(third.evaluate(HAND_MADE_HOLD))
    assert (refused["type"], refused["code"]) == ("error", "not_admitted")

    # The opening: the first in line gets the seat map and its countdown...
    expect(first.locator("#seatmap-app")).to_be_visible(timeout=40_000)
    expect(first.locator("#admission")).to_be_visible()
    # ...while the others watch their places fall, live.
    expect(second.locator("#position")).to_have_attribute(
        "data-position", "1", timeout=FAST
    )
    expect(third.locator("#position")).to_have_attribute("data-position", "2")
    first.locator('.seat[data-seat-id="5"]').click()
    expect(first.locator('.seat[data-seat-id="5"]')).to_have_attribute(
        "data-status", "held-by-me", timeout=FAST
    )
    # The second in line leaves: the third moves up to the front.
    second.click("#leave-queue")
    expect(second.locator("#waiting-message")).to_have_text("You left the queue.")
    expect(third.locator("#position")).to_have_attribute(
        "data-position", "1", timeout=FAST
    )
    expect(third.locator("#waiting-count")).to_have_text("1")
    for page in pages:
        page.context.close()


def staff_queue_panel(browser, server):
    """The dashboard's waiting room panel, on event 1."""
    context = browser.new_context()
    page = log_in(context, server, "admin", "staff-password-1")
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )
    expect(page.locator("#queue-event")).to_have_value("1")
    expect(page.locator("#queue-panel")).to_have_attribute("data-state", "on")
    return page


def test_waiting_pages_move_on_when_staff_pause_or_turn_the_room_off(
    browser, queue_server
):
    queue_server.manage("waiting_room", "1", "--on", "--opens-in", "170")
    visitor = waiting_page(browser, queue_server)
    expect(visitor.locator("#opening")).to_be_visible()
    staff = staff_queue_panel(browser, queue_server)

    staff.click('[data-queue="pause"]')
    expect(staff.locator("#queue-panel")).to_have_attribute("data-state", "paused")
    expect(visitor.locator("#estimate")).to_have_text("paused for now", timeout=FAST)
    expect(visitor.locator("#waiting-message")).to_contain_text("paused")
    expect(visitor.locator("#opening")).to_be_hidden()

    staff.click('[data-queue="resume"]')
    expect(visitor.locator("#opening")).to_be_visible(timeout=FAST)
    expect(visitor.locator("#estimate")).to_have_text(
        re.compile(r"^about [23] minutes$")
    )

    # Saving a new rate leaves the opening, set to the second, as it was: the
    # field shows it to the minute and is only sent once staff change it.
    opening = (
        "async () => (await (await fetch('/api/staff/events/1/waiting-room'))"
        ".json()).room.opens_at"
    )
    before = staff.evaluate(opening)
    staff.fill("#queue-rate-input", "90")
    staff.click('[data-queue="on"]')
    expect(staff.locator("#queue-result")).to_have_text("Saved.")
    expect(staff.locator("#queue-rate")).to_have_text("90 per minute")
    assert staff.evaluate(opening) == before

    # The opening is typed and shown as every page writes dates (site time, UTC).
    opens = staff.locator("#queue-opens-at")
    opens.fill("12/05/2098 20:00")
    staff.click('[data-queue="on"]')
    expect(staff.locator("#queue-result")).to_contain_text("Write the opening like")
    opens.fill("5 Dec 2098, 20:00")
    staff.click('[data-queue="on"]')
    expect(staff.locator("#queue-result")).to_have_text("Saved.")
    expect(staff.locator("#queue-opens")).to_have_text("Fri 5 Dec 2098, 20:00")

    # Turned off: straight to the seat map, without anybody reloading.
    staff.click('[data-queue="off"]')
    expect(visitor.locator("#seatmap-app")).to_be_visible(timeout=FAST)
    expect(visitor.locator("#admission")).to_have_count(0)
    visitor.context.close()
    staff.context.close()


def test_waiting_pages_move_on_when_a_command_turns_the_room_off(browser, queue_server):
    """The command runs in a process of its own: its announcement never reaches
    the server's in-memory hub, so the server's check of the room's version
    (every heartbeat, 5 s) is what moves the page on."""
    queue_server.manage("waiting_room", "1", "--on", "--opens-in", "170")
    visitor = waiting_page(browser, queue_server)
    queue_server.manage("waiting_room", "1", "--off")
    expect(visitor.locator("#seatmap-app")).to_be_visible(timeout=15_000)
    visitor.context.close()
