"""The seat map reads at every zoom: seat numbers at 4.5:1 on their fills, the whole
hall in the first screen of a desktop, zones that zoom to seats a finger can pick.

axe-core cannot tell the background of SVG text (a rect behind it), so it leaves every
seat number "needing review"; `NUMBER_CONTRAST` measures each one against its own seat
instead, from the styles the browser computed, and axe runs on the rest of the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.frontend.pages import AXE_JS, FAST, box, open_map, seat

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "has_touch": True,
    "is_mobile": True,
}
DESKTOP = {"viewport": {"width": 1366, "height": 800}}

# The lowest contrast of a seat number against its seat's fill, per status/category.
NUMBER_CONTRAST = """
() => {
  const rgb = (s) => (s.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 3).map(Number);
  const lum = (c) => c.map((v) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, x, i) => sum + x * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  const worst = {};
  for (const g of document.querySelectorAll('.seat')) {
    const text = g.querySelector(':scope > text');
    if (!text || !text.textContent) continue;
    const key = `${g.dataset.status}/${g.dataset.category}`;
    const fill = getComputedStyle(g.querySelector('rect')).fill;
    const r = ratio(rgb(getComputedStyle(text).fill), rgb(fill));
    if (!(key in worst) || r < worst[key]) worst[key] = r;
  }
  return worst;
}
"""

AXE_WITHOUT_SEAT_NUMBERS = """
async () => {
  const r = await axe.run(
    { exclude: [['.seat > text'], ['.seat .flag-companion text']] },
    { runOnly: ['color-contrast'] },
  );
  return {
    violations: r.violations.flatMap((v) => v.nodes.map((n) => n.target.join(' '))),
    seatsToReview: r.incomplete.flatMap((v) => v.nodes)
      .filter((n) => n.target.join(' ').includes('seat')).length,
  };
}
"""


def hold(page: Page, seat_id: int) -> None:
    seat(page, seat_id).click()
    expect(seat(page, seat_id)).to_have_attribute(
        "data-status", "held-by-me", timeout=FAST
    )


def test_every_seat_number_reads_at_4_5_to_1_whatever_its_seat(browser, selling_hall):
    buyer = open_map(browser, selling_hall, **DESKTOP)
    hold(buyer, 40)
    buyer.get_by_role("button", name="Book 1 seat").click()
    expect(buyer.locator("#booking-result")).to_contain_text("reference", timeout=FAST)
    other = open_map(browser, selling_hall, **DESKTOP)
    hold(other, 41)
    page = open_map(browser, selling_hall, **DESKTOP)
    hold(page, 42)
    expect(seat(page, 40)).to_have_attribute("data-status", "booked", timeout=FAST)
    expect(seat(page, 41)).to_have_attribute("data-status", "held", timeout=FAST)
    page.locator("#zone-nav").get_by_role("button", name="Stalls").click()
    worst = page.evaluate(NUMBER_CONTRAST)
    statuses = {key.split("/")[0] for key in worst}
    assert {"available", "held", "held-by-me", "booked"} <= statuses, worst
    categories = {key.split("/")[1] for key in worst if key.startswith("available/")}
    assert {"premium", "standard"} <= categories, worst
    low = {key: round(ratio, 2) for key, ratio in worst.items() if ratio < 4.5}
    assert low == {}, low

    page.add_script_tag(path=str(AXE_JS))
    checked = page.evaluate(AXE_WITHOUT_SEAT_NUMBERS)
    assert checked["violations"] == [], checked
    for each in (buyer, other, page):
        each.context.close()


def test_the_legend_draws_available_like_the_seats(browser, selling_hall):
    page = open_map(browser, selling_hall, **DESKTOP)
    swatches = page.locator(
        '#legend > li:first-child .swatch-seat[data-status="available"] rect'
    )
    expect(swatches).to_have_count(3)  # one per coloured category
    fills = swatches.evaluate_all("els => els.map((el) => getComputedStyle(el).fill)")
    for code, fill in zip(("premium", "standard", "balcony"), fills, strict=True):
        drawn = page.locator(
            f'.seat[data-category="{code}"][data-status="available"] rect'
        ).first.evaluate("el => getComputedStyle(el).fill")
        assert fill == drawn, (code, fill, drawn)
    page.context.close()


def test_a_desktop_sees_the_whole_hall_balcony_included_on_the_first_screen(
    browser, selling_hall
):
    page = open_map(browser, selling_hall, **DESKTOP)
    frame = page.locator("#map-frame").bounding_box()
    assert frame["y"] + frame["height"] <= 800, frame
    low = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('.seat')]"
        ".map((el) => el.getBoundingClientRect().bottom))"
    )
    assert low <= 800, low
    assert page.evaluate("window.scrollY") == 0
    # What explains the map is one click away, not in front of it.
    expect(page.locator("#map-help")).not_to_have_attribute("open", "")
    expect(page.locator("#seatmap-help")).to_be_hidden()
    page.context.close()


def test_a_phone_zone_zooms_to_seats_a_finger_can_pick_with_row_letters(
    browser, selling_hall
):
    page = open_map(browser, selling_hall, **PHONE)
    page.locator("#zone-nav").get_by_role("button", name="Balcony").tap()
    pitch = page.evaluate(
        "() => { const [a, b] = ['A16', 'A17'].map((n) => [...document"
        ".querySelectorAll('.seat')].find((el) => el.getAttribute('aria-label')"
        ".startsWith(`Balcony, Row A, seat ${n.slice(1)},`)).getBoundingClientRect());"
        " return b.left - a.left; }"
    )
    assert pitch >= 23.5, pitch
    letters = page.locator(".row-gutter-label").all_inner_texts()
    assert {"A", "B", "C"} <= set(letters), letters
    page.context.close()


def test_a_first_tap_on_tiny_seats_zooms_and_says_the_next_tap_picks(
    browser, selling_hall
):
    page = open_map(browser, selling_hall, **PHONE)
    target = seat(page, 60)
    target.tap()
    note = page.locator("#seat-note")
    expect(note).to_be_visible(timeout=FAST)
    expect(note).to_contain_text("tap the seat again")
    assert note.get_attribute("data-seat-id") == "60"
    expect(target).to_have_attribute("data-status", "available")
    target.tap()
    expect(target).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    expect(note).to_be_hidden()
    page.context.close()


def overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_your_seats_list_label_category_price_and_release_apart(
    browser, selling_hall, device
):
    """On the demo hall, with its long labels ("Stalls A10") and names."""
    page = open_map(browser, selling_hall, **device)
    page.locator("#zone-nav").get_by_role("button", name="Stalls").click()
    target = page.locator('.seat[aria-label^="Stalls, Row A, seat 10,"]')
    target.tap() if device is PHONE else target.click()
    expect(target).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    # Where each part's text is drawn (a range's box: text that overflows its
    # grid cell is drawn past the cell's own box).
    parts = page.evaluate(
        """() => {
          const item = document.querySelector('#my-seats li');
          const drawn = (selector) => {
            const range = document.createRange();
            range.selectNodeContents(item.querySelector(selector));
            const r = range.getBoundingClientRect();
            return { x: r.x, y: r.y, width: r.width, height: r.height };
          };
          return {
            label: drawn('.my-seat-label'),
            category: drawn('.my-seat-category'),
            price: drawn('.my-seat-price'),
            release: drawn('button[data-release-seat]'),
          };
        }"""
    )
    names = list(parts)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            assert not overlap(parts[first], parts[second]), (first, second, parts)
    card = box(page, ".my-hold")
    assert (
        parts["release"]["x"] + parts["release"]["width"] <= card["x"] + card["width"]
    )
    page.locator("#my-seats button[data-release-seat]").click()
    expect(page.locator("#my-seats li")).to_have_count(0, timeout=FAST)
    page.context.close()
