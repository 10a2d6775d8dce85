"""A 5,000-seat venue under a 500-seat change, and the screenshots in the README.

The screenshots are taken on every run; they replace the README's images in
docs/screenshots only with SEATS_SCREENSHOTS=1 (`make screenshots`).
"""

from __future__ import annotations

import base64
import math
import time

import pytest
from playwright.sync_api import expect

from devtools.processes import live_server
from tests.frontend.pages import (
    CAPTURE_SOCKETS,
    FAST,
    log_in,
    open_map,
    png_size,
    screenshot_dir,
    seat,
)

pytestmark = pytest.mark.browser

ARENA = 2  # the second event: 50 rows of 100 seats


# The whole map drawn from the snapshot (median of 3), then 9 seats.changed frames of
# 500 seats spread over the venue, alternately held and freed (median). Each time
# covers parsing, the DOM patch and the style/layout it forces; at the end the page
# goes back to the server's truth.
MEASURE = """
async () => {
  const ws = window.__sockets.at(-1);
  const text = await window.__fullSnapshot();
  const snap = JSON.parse(text);
  const ids = snap.seats.filter((s, i) => i % 10 === 0).map((s) => s.id);
  const until = new Date(Date.parse(snap.server_time) + 3600e3).toISOString();
  const frame = (version, held) => JSON.stringify({
    type: 'seats.changed', event: snap.event, version,
    reason: held ? 'held' : 'released',
    seats: ids.map((id) => held
      ? { id, status: 'held', holder: 'h_synthetic', held_until: until }
      : { id, status: 'available', holder: null, held_until: null }),
  });
  const settle = () =>
    new Promise((r) => requestAnimationFrame(() => setTimeout(r, 20)));
  const timed = (data) => {
    const t0 = performance.now();
    ws.dispatchEvent(new MessageEvent('message', { data }));
    void document.body.offsetHeight;
    return performance.now() - t0;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const full = [];
  for (let round = 0; round < 3; round++) {
    full.push(timed(text));
    await settle();
  }
  const apply = [];
  let version = snap.version;
  for (let round = 0; round < 9; round++) {
    apply.push(timed(frame(++version, round % 2 === 0)));
    await settle();
  }
  const result = {
    seats: document.querySelectorAll('.seat').length,
    changed: ids.length,
    held: document.querySelectorAll('.seat[data-status="held"]').length,
    legend: document.querySelector('[data-legend-count="held"]').textContent,
    listed: document.querySelectorAll('#seat-list [data-list-seat]').length,
  };
  ws.dispatchEvent(new MessageEvent('message', { data: text }));
  return { ...result, apply: median(apply), full: median(full) };
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    arena = (
        "--force",
        "--name",
        "Arena Night",
        "--rows",
        "50",
        "--seats-per-row",
        "100",
    )
    with live_server(
        tmp_path_factory.mktemp("showcase"), seeds=[(), arena], SEAT_SWEEP_SECONDS="0.2"
    ) as server:
        yield server


def test_a_500_seat_change_applies_faster_than_drawing_the_map(browser, server, capsys):
    page = open_map(browser, server, ARENA, init_script=CAPTURE_SOCKETS)
    expect(page.locator(".seat")).to_have_count(5000)

    for view, listed in (("map", 0), ("map + open list view", 4500)):
        if listed:
            page.locator("#seat-list summary").click()  # patched seat by seat too
            expect(page.locator("#seat-list [data-list-seat]")).to_have_count(5000)
        result = page.evaluate(MEASURE)
        with capsys.disabled():
            print(
                f"\n[{view}] one seats.changed of 500 seats applied in "
                f"{result['apply']:.2f} ms; the whole {result['seats']}-seat map "
                f"drawn in {result['full']:.2f} ms (medians; JSON parse + DOM patch "
                "+ the style/layout it forces)"
            )
        assert (result["seats"], result["changed"], result["held"]) == (5000, 500, 500)
        assert (result["legend"], result["listed"]) == ("500", listed)
        assert math.isfinite(result["apply"])
        assert result["apply"] < result["full"]
        # Back on the server's truth after the synthetic frames.
        expect(page.locator('[data-legend-count="held"]')).to_have_text("0")
    page.context.close()


def _compose(browser, shots: list[tuple[str, bytes]], path) -> None:
    """Put screenshots side by side, captioned, in one image."""
    page = browser.new_page(viewport={"width": 1800, "height": 600})
    figures = "".join(
        f'<figure><figcaption>{caption}</figcaption><img src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"></figure>'
        for caption, png in shots
    )
    page.set_content(
        "<style>body{margin:0;padding:16px;display:flex;gap:16px;background:#e5e7eb;"
        "font:600 20px system-ui,sans-serif}figure{margin:0;flex:1}"
        "img{width:100%;border:1px solid #9ca3af;display:block}"
        "figcaption{margin-bottom:8px}</style>" + figures
    )
    page.screenshot(path=str(path), full_page=True)
    page.close()


def test_screenshots_of_two_people_and_the_dashboard(browser, server, tmp_path):
    shots = screenshot_dir(tmp_path)
    size = {"viewport": {"width": 1100, "height": 820}}
    staff = browser.new_context(**size)
    dashboard = log_in(staff, server, "admin", "staff-password-1")
    expect(dashboard.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )
    a = open_map(browser, server, **size)
    b = open_map(browser, server, **size)

    a.select_option("#best-count", "4")
    a.get_by_role("button", name="Find seats").click()
    expect(a.locator('.seat[data-status="held-by-me"]')).to_have_count(4, timeout=FAST)
    for seat_id in (67, 68):
        seat(b, seat_id).click()
        expect(seat(b, seat_id)).to_have_attribute("data-status", "held-by-me")
    b.locator("#book-button").click()
    expect(seat(a, 68)).to_have_attribute("data-status", "booked", timeout=FAST)
    seat(b, 95).click()
    seat(b, 96).click()
    expect(seat(a, 96)).to_have_attribute("data-status", "held", timeout=FAST)
    # A few seconds of someone making up their mind: holds and releases on the chart.
    for seat_id in (150, 151, 170, 171):
        seat(a, seat_id).click()
        expect(seat(a, seat_id)).to_have_attribute("data-status", "held-by-me")
        time.sleep(0.5)
        seat(a, seat_id).click()
        expect(seat(b, seat_id)).to_have_attribute("data-status", "available")
        time.sleep(0.5)
    a.mouse.move(0, 0)

    _compose(
        browser,
        [("Person A", a.screenshot()), ("Person B", b.screenshot())],
        shots / "seat-map-two-people.png",
    )
    expect(dashboard.locator("#activity-chart rect[data-reason=booked]")).to_have_count(
        1, timeout=FAST
    )
    dashboard.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    for context in (a.context, b.context, staff):
        context.close()

    # Two maps side by side on the composing page; the dashboard at its full length.
    width, height = png_size(shots / "seat-map-two-people.png")
    assert width == 1800 and height > 400, (width, height)
    width, height = png_size(shots / "dashboard.png")
    assert width == 1100 and height >= 820, (width, height)
