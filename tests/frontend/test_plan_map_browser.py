"""Seat maps drawn from seating plans: fit, zoom, pan, zones, seat features, big halls.

The plans are made in the server's own database with a `manage.py shell`
snippet: curved rows in plan units with fractions, a stage and other areas,
two zones, price categories with colours, a wheelchair space with its
companion seat and seats with a restricted view.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from devtools.processes import live_server
from tests.frontend.pages import (
    CAPTURE_SOCKETS,
    FAST,
    open_map,
    seat,
    serious_violations,
)

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "has_touch": True,
    "is_mobile": True,
    "device_scale_factor": 2,
}

# Prints "<name>=<event id>" per plan event it makes.
MAKE_PLANS = """
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from seats.models import Event, PriceCategory, Seat, SeatingPlan

AREAS = [
    {"shape": "rectangle", "x": 250, "y": 20, "width": 500, "height": 70,
     "color": "#444444", "text": "STAGE", "text_color": "#ffffff", "text_size": 28},
    {"shape": "polygon", "x": 40, "y": 560,
     "points": [[40, 560], [140, 560], [140, 600], [40, 600]], "color": "#d1fae5",
     "border_color": "#065f46", "text": "Bar", "text_size": 14},
    {"shape": "ellipse", "x": 900, "y": 580, "rx": 40, "ry": 20, "color": "#fde68a"},
    {"shape": "text", "x": 500, "y": 555, "text": "Balcony stairs", "text_size": 14},
]


def curved_zone(event, section, rows, cols, top, category_of, prefix):
    seats = []
    for r, row in enumerate(rows):
        for n in range(1, cols + 1):
            offset = n - (cols + 1) / 2
            seats.append(Seat(
                event=event, section=section, row=row, number=n,
                key=f"{prefix}-{row}-{n}", label=f"{prefix}-{row}{n}",
                x=500 + offset * 28.5, y=top + r * 31.25 - 0.05 * offset * offset,
                run=f"{section}/{row}", run_position=n - 1,
                category=category_of(r),
            ))
    return seats


# Stalls (4 premium rows, the rest standard) in front of a balcony.
def make(name, stalls_rows, stalls_cols, balcony_rows, balcony_cols):
    plan = SeatingPlan.objects.create(
        name=name, document={}, areas=AREAS, width=1000, height=1000
    )
    event = Event.objects.create(
        name=name, starts_at=timezone.now() + timedelta(days=30), plan=plan
    )
    cat = lambda code, label, price, color: PriceCategory.objects.create(
        event=event, code=code, name=label, price=Decimal(price), color=color
    )
    premium = cat("premium", "Premium", "60.00", "#b8336a")
    standard = cat("standard", "Standard", "40.00", "#7fb3d5")
    balcony = cat("balcony", "Balcony", "25.00", "#f2c14e")
    rows = [chr(65 + r) for r in range(stalls_rows)]
    seats = curved_zone(
        event, "Stalls", rows, stalls_cols, 150,
        lambda r: premium if r < 4 else standard, "S",
    )
    top = 150 + stalls_rows * 31.25 + 120
    seats += curved_zone(
        event, "Balcony", [str(r + 1) for r in range(balcony_rows)], balcony_cols,
        top, lambda r: balcony, "B",
    )
    Seat.objects.bulk_create(seats, batch_size=500)
    plan.seat_count = len(seats)
    plan.height = top + balcony_rows * 31.25 + 40
    plan.save()
    last = rows[-1]
    space = Seat.objects.get(event=event, label=f"S-{last}1")
    Seat.objects.filter(pk=space.pk).update(wheelchair=True)
    Seat.objects.filter(event=event, label=f"S-{last}2").update(companion_of=space)
    Seat.objects.filter(event=event, label="S-A1").update(
        restricted_view=True, note="behind a pillar"
    )
    print(f"{name}={event.id}")


make("Grand Hall", 12, 25, 5, 20)
make("Arena Plan", 40, 100, 10, 100)
"""

# Every seat's box inside the map frame's box (with a pixel for rounding).
SEATS_IN_FRAME = """
(selector) => {
  const frame = document.getElementById('map-frame').getBoundingClientRect();
  const outside = [];
  for (const el of document.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    if (r.left < frame.left - 1 || r.top < frame.top - 1
        || r.right > frame.right + 1 || r.bottom > frame.bottom + 1) {
      outside.push(el.getAttribute('aria-label'));
    }
  }
  return outside;
}
"""

# The box the given seats cover on screen, and the frame's.
SEATS_BOX = """
(selector) => {
  const frame = document.getElementById('map-frame').getBoundingClientRect();
  const rects = [...document.querySelectorAll(selector)]
    .map((el) => el.getBoundingClientRect());
  const span = (lo, hi) =>
    Math.max(...rects.map((r) => r[hi])) - Math.min(...rects.map((r) => r[lo]));
  return {
    width: span('left', 'right'),
    height: span('top', 'bottom'),
    seat: rects[0].width,
    frameWidth: frame.width,
    frameHeight: frame.height,
  };
}
"""

# Two free seats side by side (same row, numbers in a row) wholly in the map's frame
# and clear of the row letters' strip, nearest the frame's middle: their ids.
SIDE_BY_SIDE_IN_VIEW = """
(selector) => {
  const frame = document.getElementById('map-frame').getBoundingClientRect();
  const strip = document.querySelector('.row-gutter')?.getBoundingClientRect();
  const left = frame.left + (strip && strip.width ? strip.width : 0);
  const seen = new Map();
  for (const el of document.querySelectorAll(selector)) {
    if (el.dataset.status !== 'available') continue;
    const r = el.getBoundingClientRect();
    if (r.left < left || r.top < frame.top || r.right > frame.right - 60
        || r.bottom > frame.bottom) continue;
    const label = el.getAttribute('aria-label');
    const m = label.match(/Row (\\w+), seat (\\d+)/);
    if (!m) continue;
    const id = Number(el.dataset.seatId);
    seen.set(`${m[1]}/${m[2]}`, { id, r, row: m[1], n: +m[2] });
  }
  const middle = frame.left + frame.width / 2;
  let best = null;
  for (const a of seen.values()) {
    const b = seen.get(`${a.row}/${a.n + 1}`);
    if (!b) continue;
    const d = Math.abs(a.r.left - middle) + a.r.top;
    if (!best || d < best.d) best = { d, ids: [a.id, b.id] };
  }
  return best && best.ids;
}
"""

# Applies one seats.changed of 500 seats through the page's own socket handler and
# records which seat elements it touched (a MutationObserver on the seat layer).
APPLY_500 = """
async () => {
  const ws = window.__sockets.at(-1);
  const snap = JSON.parse(await window.__fullSnapshot());
  const ids = snap.seats.filter((s, i) => i % 10 === 0).map((s) => s.id);
  const until = new Date(Date.parse(snap.server_time) + 3600e3).toISOString();
  const touched = new Set();
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      const g = r.target.closest?.('[data-seat-id]');
      touched.add(g ? Number(g.getAttribute('data-seat-id')) : -1);
    }
  });
  observer.observe(document.querySelector('#seat-map .seats'), {
    subtree: true, attributes: true, childList: true, characterData: true,
  });
  const held = (id) => ({ id, status: 'held', holder: 'h_other', held_until: until });
  const data = JSON.stringify({
    type: 'seats.changed', event: snap.event, version: snap.version + 1,
    reason: 'held', seats: ids.map(held),
  });
  const t0 = performance.now();
  ws.dispatchEvent(new MessageEvent('message', { data }));
  void document.body.offsetHeight;
  const ms = performance.now() - t0;
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 20)));
  observer.disconnect();
  const changed = new Set(ids);
  return {
    ms,
    changed: ids.length,
    touched: touched.size,
    strays: [...touched].filter((id) => !changed.has(id)).length,
    held: document.querySelectorAll('.seat[data-status="held"]').length,
    legend: document.querySelector('[data-legend-count="held"]').textContent,
  };
}
"""

# Counts what a zoom changes in the seat layer: it should only move the viewBox.
WATCH_SEATS = """
() => {
  window.__seatMutations = 0;
  new MutationObserver((records) => { window.__seatMutations += records.length; })
    .observe(document.querySelector('#seat-map .seats'), {
      subtree: true, attributes: true, childList: true,
    });
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(
        tmp_path_factory.mktemp("plans"),
        seeds=[],
        SEAT_HOLD_SECONDS="120",
        SEAT_SWEEP_SECONDS="0.5",
    ) as server:
        out = server.manage("shell", "-c", MAKE_PLANS)
        server.events = {
            name: int(event_id)
            for name, event_id in re.findall(r"^(.+)=(\d+)$", out, re.M)
        }
        yield server


def by_label(page: Page, label: str):
    """A seat by its printed label (ids depend on the insertion order)."""
    seat_id = page.evaluate(
        "async l => JSON.parse(await window.__fullSnapshot())"
        ".seats.find((s) => s.label === l).id",
        label,
    )
    return seat(page, seat_id)


def view_box(page: Page) -> list[float]:
    return [
        float(v) for v in page.locator("#seat-map").get_attribute("viewBox").split()
    ]


def open_plan(browser, server, name: str, **context_args) -> Page:
    return open_map(
        browser,
        server,
        server.events[name],
        init_script=CAPTURE_SOCKETS,
        **{**DESKTOP, **context_args},
    )


def test_desktop_shows_the_whole_plan_with_its_areas_and_zooms(browser, server):
    page = open_plan(browser, server, "Grand Hall")
    expect(page.locator(".seat")).to_have_count(400)
    assert page.evaluate(SEATS_IN_FRAME, ".seat") == []
    # The stage and the other areas are drawn under the seats, zones outlined.
    expect(page.locator(".area-rectangle .area-text")).to_have_text("STAGE")
    expect(page.locator("#seat-map .area")).to_have_count(4)
    expect(page.locator("#seat-map .stage")).to_be_hidden()
    expect(page.locator(".zone-label")).to_have_text(["Stalls", "Balcony"])
    # Free seats take their category's colour; a held one does not.
    premium = by_label(page, "S-B5")
    fill = premium.locator("rect").evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(184, 51, 106)", fill
    # Its legend swatch is drawn like its free seats.
    swatch = page.locator(
        '#category-legend li[data-category="premium"] .swatch-seat rect'
    )
    assert swatch.evaluate("el => getComputedStyle(el).fill") == fill

    # The wheel zooms in about the pointer; the seat under it stays under it.
    frame = page.locator("#map-frame").bounding_box()
    target = by_label(page, "S-F13")
    box = target.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    fit = view_box(page)
    page.mouse.move(x, y)
    page.mouse.wheel(0, -400)
    expect(page.locator("#map-frame")).to_have_class(re.compile("is-zoomed"))
    zoomed = view_box(page)
    assert zoomed[2] < fit[2] * 0.8, (fit, zoomed)
    after = target.bounding_box()
    assert abs(after["x"] + after["width"] / 2 - x) < 3
    assert after["width"] > box["width"] * 1.25

    # A drag pans, and holds nothing.
    page.mouse.move(frame["x"] + 300, frame["y"] + 200)
    page.mouse.down()
    page.mouse.move(frame["x"] + 200, frame["y"] + 150, steps=5)
    page.mouse.up()
    panned = view_box(page)
    assert panned[0] > zoomed[0] and panned[2] == zoomed[2], (zoomed, panned)
    expect(page.locator('.seat[data-status="held-by-me"]')).to_have_count(0)
    page.wait_for_timeout(300)
    expect(page.locator("#message")).to_have_text("")

    # Keyboard, with a seat focused: + and - zoom, 0 goes back to the whole hall.
    by_label(page, "S-F13").focus()
    page.keyboard.press("0")
    assert view_box(page) == fit
    page.keyboard.press("+")
    plus = view_box(page)
    assert plus[2] < fit[2], (fit, plus)
    expect(by_label(page, "S-F13")).to_be_focused()
    page.keyboard.press("-")
    assert view_box(page)[2] > plus[2]
    page.keyboard.press("+")
    page.keyboard.press("0")
    assert view_box(page) == fit
    # The buttons do the same.
    page.get_by_role("button", name="Zoom in").click()
    assert view_box(page)[2] < fit[2]
    page.get_by_role("button", name="Zoom to fit").click()
    assert view_box(page) == fit
    page.context.close()


def test_wheelchair_companion_and_restricted_view_are_named_and_in_the_legend(
    browser, server
):
    page = open_plan(browser, server, "Grand Hall")
    space = by_label(page, "S-L1")
    expect(space).to_have_attribute(
        "aria-label",
        re.compile(r"^Stalls, Row L, seat 1, .*wheelchair space, available$"),
    )
    expect(space.locator(".flag-wheelchair")).to_have_count(1)
    companion = by_label(page, "S-L2")
    expect(companion).to_have_attribute(
        "aria-label",
        re.compile(r"companion seat for wheelchair space S-L1, available$"),
    )
    expect(companion.locator(".flag-companion")).to_have_count(1)
    expect(by_label(page, "S-A1")).to_have_attribute(
        "aria-label", re.compile(r"restricted view, behind a pillar, available$")
    )
    expect(page.locator("#flag-legend .legend-label")).to_have_text(
        ["Wheelchair space", "Companion seat", "Restricted view"]
    )
    assert serious_violations(page) == []
    # The list view says the same.
    page.locator("#seat-list summary").click()
    space_id = space.get_attribute("data-seat-id")
    expect(page.locator(f'#seat-list [data-list-seat="{space_id}"]')).to_have_attribute(
        "aria-label", "Hold seat 1, Standard, 40.00 euros, wheelchair space"
    )
    page.context.close()


def test_phone_sees_the_whole_hall_then_zooms_into_the_balcony_and_holds(
    browser, server, capsys
):
    phone = open_plan(browser, server, "Grand Hall", **PHONE)
    other = open_plan(browser, server, "Grand Hall")
    assert phone.evaluate(SEATS_IN_FRAME, ".seat") == []
    # ... and the map is on the first screen, under the title.
    frame = phone.locator("#map-frame").bounding_box()
    assert frame["y"] >= 0 and frame["y"] + frame["height"] <= 844, frame
    whole = phone.evaluate(SEATS_BOX, ".seat")
    with capsys.disabled():
        print(
            f"\n[phone 390 x 844] whole hall: seats {whole['seat']:.1f} px in a "
            f"{whole['frameWidth']:.0f} x {whole['frameHeight']:.0f} px map"
        )

    # The overview offers the zones; the balcony then comes at a size a finger can
    # pick (seats 24 px apart: 20 px squares), its front middle in view, the rest a
    # drag away, and the letters of the rows shown kept along the left edge.
    nav = phone.locator("#zone-nav")
    expect(nav).to_be_visible()
    nav.get_by_role("button", name="Balcony").tap()
    expect(nav.get_by_role("button", name="Balcony")).to_have_attribute(
        "aria-pressed", "true"
    )
    balcony = '.seat[aria-label^="Balcony"]'
    box = phone.evaluate(SEATS_BOX, balcony)
    assert box["seat"] >= 19.5, (box, whole)
    assert box["width"] >= box["frameWidth"], box
    assert phone.evaluate(SEATS_IN_FRAME, balcony) != []
    letters = phone.locator(".row-gutter-label").all_inner_texts()
    assert {"1", "2", "3"} <= set(letters), letters  # the balcony's rows

    # Two seats side by side in the middle of the front row shown, one tap each:
    # held here, seen there.
    pair = phone.evaluate(SIDE_BY_SIDE_IN_VIEW, balcony)
    assert pair, "no two free seats side by side in view"
    for seat_id in pair:
        tapped = seat(phone, seat_id)
        tapped.tap()
        expect(tapped).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    for seat_id in pair:
        expect(seat(other, seat_id)).to_have_attribute(
            "data-status", "held", timeout=FAST
        )
    expect(phone.locator("#my-seats li")).to_have_count(2)

    # "Whole hall" goes back.
    nav.get_by_role("button", name="Whole hall").tap()
    assert phone.evaluate(SEATS_IN_FRAME, ".seat") == []
    for page in (phone, other):
        page.context.close()


def test_on_a_phone_a_tap_on_tiny_seats_zooms_and_two_fingers_pinch(browser, server):
    phone = open_plan(browser, server, "Grand Hall", **PHONE)
    before = view_box(phone)
    # Seats too small for a finger: the tap zooms into their zone instead of holding.
    tapped = by_label(phone, "S-G13")
    tapped.tap()
    expect(phone.locator("#map-frame")).to_have_class(re.compile("is-zoomed"))
    assert view_box(phone)[2] < before[2] * 0.9, (before, view_box(phone))
    phone.wait_for_timeout(300)
    expect(tapped).to_have_attribute("data-status", "available")
    phone.locator("#zone-nav").get_by_role("button", name="Whole hall").tap()
    assert view_box(phone) == before

    frame = phone.locator("#map-frame").bounding_box()
    cx, cy = frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2
    cdp = phone.context.new_cdp_session(phone)

    def touch(kind: str, spread: float) -> None:
        points = [
            {"x": cx - spread, "y": cy, "id": 1},
            {"x": cx + spread, "y": cy, "id": 2},
        ]
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": [] if kind == "touchEnd" else points},
        )

    touch("touchStart", 20)
    for spread in (30, 45, 60, 80):
        touch("touchMove", spread)
    touch("touchEnd", 80)
    after = view_box(phone)
    assert after[2] < before[2] / 2.5, (before, after)
    expect(phone.locator('.seat[data-status="held-by-me"]')).to_have_count(0)
    phone.context.close()


def test_a_5000_seat_plan_applies_a_500_seat_change_seat_by_seat(
    browser, server, capsys
):
    page = open_plan(browser, server, "Arena Plan")
    expect(page.locator(".seat")).to_have_count(5000)
    assert page.evaluate(SEATS_IN_FRAME, ".seat:nth-child(50n)") == []
    expect(page.locator(".zone-label")).to_have_text(["Stalls", "Balcony"])

    # Zooming moves the viewBox only: not one seat element changes.
    page.evaluate(WATCH_SEATS)
    frame = page.locator("#map-frame").bounding_box()
    page.mouse.move(frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2)
    before = view_box(page)
    page.mouse.wheel(0, -600)
    assert view_box(page)[2] < before[2]
    assert page.evaluate("window.__seatMutations") == 0

    result = page.evaluate(APPLY_500)
    with capsys.disabled():
        print(
            f"\n[5000-seat plan] one seats.changed of {result['changed']} seats "
            f"applied in {result['ms']:.2f} ms "
            "(parse + DOM patch + forced layout)"
        )
    assert (result["changed"], result["touched"], result["strays"]) == (500, 500, 0)
    assert (result["held"], result["legend"]) == (500, "500")
    page.context.close()
