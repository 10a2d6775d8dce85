"""Every shipped theme of the seat map reads (docs/themes.md): text at 4.5:1 (axe, and
the seat numbers measured against their own seats), each seat at 3:1 against the map
(its fill or its outline), each status mark at 3:1 against its seat; and a host page
restyles the map from outside, through custom properties and ::part(), even across a
shadow root whose inner element picks a theme.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.frontend.pages import FAST, open_map, seat, serious_violations
from tests.frontend.test_map_contrast_browser import NUMBER_CONTRAST, hold

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1366, "height": 800}}
APP_CSS = Path(__file__).resolve().parents[2] / "frontend/static/frontend/app.css"

# The map's own background, as each theme paints it.
MAP_BG = {"light": "rgb(255, 255, 255)", "dark": "rgb(24, 29, 36)"}

# Per seat (drawn seats and the legend's swatches, which show every status): the worst
# contrast of the seat against the map (behind it: the map area, and a zone's fill where
# the hall has zones), and of its status mark against its fill.
SEAT_CONTRAST = """
() => {
  const rgba = (s) => {
    const n = (s.match(/[\\d.]+/g) || []).map(Number);
    return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1];
  };
  const over = (c, bg) => c.slice(0, 3).map((v, i) => v * c[3] + bg[i] * (1 - c[3]));
  const lum = (c) => c.slice(0, 3).map((v) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, x, i) => sum + x * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  const area = document.querySelector('.map-area');
  const map = rgba(getComputedStyle(area).backgroundColor);
  const zone = document.querySelector('.zone-fill');
  const grounds = [map];
  if (zone) grounds.push(over(rgba(getComputedStyle(zone).fill), map));
  const seatVsMap = {};
  const markVsSeat = {};
  const keep = (into, key, r) => {
    if (!(key in into) || r < into[key]) into[key] = r;
  };
  for (const g of document.querySelectorAll('.seat, .swatch-seat')) {
    const key = `${g.dataset.status}/${g.dataset.category ?? 'legend'}`;
    const style = getComputedStyle(g.querySelector('rect'));
    for (const bg of grounds) {
      const fill = over(rgba(style.fill), bg);
      const line = over(rgba(style.stroke), bg);
      keep(seatVsMap, key, Math.max(ratio(fill, bg), ratio(line, bg)));
    }
    const mark = g.querySelector('.seat-mark');
    if (mark && mark.getAttribute('d')) {
      const fill = over(rgba(style.fill), map);
      const stroke = over(rgba(getComputedStyle(mark).stroke), fill);
      keep(markVsSeat, key, ratio(stroke, fill));
    }
  }
  return { seatVsMap, markVsSeat };
}
"""


@pytest.fixture(scope="module")
def taken(browser, selling_hall) -> Iterator[None]:
    """Seat 40 booked, seat 41 held by someone else, for as long as the module runs."""
    buyer = open_map(browser, selling_hall, **DESKTOP)
    hold(buyer, 40)
    buyer.get_by_role("button", name="Book 1 seat").click()
    expect(buyer.locator("#booking-result")).to_contain_text("reference", timeout=FAST)
    other = open_map(browser, selling_hall, **DESKTOP)
    hold(other, 41)
    yield
    for each in (buyer, other):
        each.context.close()


def themed_map(browser, selling_hall, theme: str, how: str) -> Page:
    """The map in `theme`, picked by `data-theme` on <html> or by the reader's
    preference (`prefers-color-scheme`)."""
    scheme = {"color_scheme": "dark"} if how == "preference" else {}
    page = open_map(browser, selling_hall, **DESKTOP, **scheme)
    if how == "attribute":
        page.evaluate("(t) => { document.documentElement.dataset.theme = t; }", theme)
    return page


@pytest.mark.parametrize(
    ("theme", "how", "seat_id"),
    # The default light theme is checked the same way by
    # test_map_contrast_browser.py; here the attribute and the preference.
    [
        ("light", "attribute", 43),
        ("dark", "attribute", 44),
        ("dark", "preference", 45),
    ],
    ids=["light-attribute", "dark-attribute", "dark-preference"],
)
def test_every_theme_keeps_text_seats_and_marks_readable(
    browser, selling_hall, taken, theme, how, seat_id
):
    page = themed_map(browser, selling_hall, theme, how)
    hold(page, seat_id)
    expect(seat(page, 40)).to_have_attribute("data-status", "booked", timeout=FAST)
    expect(seat(page, 41)).to_have_attribute("data-status", "held", timeout=FAST)
    background = page.locator(".map-area").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background == MAP_BG[theme], background

    numbers = page.evaluate(NUMBER_CONTRAST)
    assert {"available", "held", "held-by-me", "booked"} <= {
        key.split("/")[0] for key in numbers
    }, numbers
    low = {key: round(r, 2) for key, r in numbers.items() if r < 4.5}
    assert low == {}, ("seat numbers", theme, low)

    drawn = page.evaluate(SEAT_CONTRAST)
    legend = {k.split("/")[0] for k in drawn["seatVsMap"] if k.endswith("/legend")}
    assert {"available", "held", "held-by-me", "booked", "blocked"} <= legend, drawn
    low = {k: round(r, 2) for k, r in drawn["seatVsMap"].items() if r < 3}
    assert low == {}, ("seats against the map", theme, low)
    assert {"held/legend", "booked/legend", "blocked/legend"} <= set(
        drawn["markVsSeat"]
    ), drawn
    low = {k: round(r, 2) for k, r in drawn["markVsSeat"].items() if r < 3}
    assert low == {}, ("marks against their seats", theme, low)

    # Every serious rule, color-contrast included (the seat numbers' contrast
    # is measured above: axe cannot see the seat behind them).
    violations = serious_violations(
        page, exclude=(".seat > text", ".seat .flag-companion text")
    )
    assert violations == [], violations
    page.context.close()


def test_the_preference_and_the_attribute_give_the_same_dark_theme(
    browser, selling_hall
):
    """app.css writes the dark values twice (for the attribute, and for the
    preference); they must not drift apart."""
    names = sorted(set(re.findall(r"--_[\w-]+", APP_CSS.read_text())))
    read = (
        "(names) => names.map((n) => getComputedStyle(document.documentElement)"
        ".getPropertyValue(n).trim())"
    )
    by_attribute = themed_map(browser, selling_hall, "dark", "attribute")
    by_preference = themed_map(browser, selling_hall, "dark", "preference")
    light = open_map(browser, selling_hall, **DESKTOP)
    dark = dict(zip(names, by_attribute.evaluate(read, names), strict=True))
    assert dark == dict(zip(names, by_preference.evaluate(read, names), strict=True))
    lighter = dict(zip(names, light.evaluate(read, names), strict=True))
    assert dark["--_map-bg"] != lighter["--_map-bg"]
    # Asking for light by name keeps a dark reader's seat map light.
    by_preference.evaluate("() => { document.documentElement.dataset.theme = 'light' }")
    assert by_preference.evaluate(read, names) == list(lighter.values())
    for each in (by_attribute, by_preference, light):
        each.context.close()


def test_custom_properties_set_on_the_page_restyle_seats_and_legend(
    browser, selling_hall
):
    page = open_map(browser, selling_hall, **DESKTOP)
    hold(page, 50)
    mine = seat(page, 50).locator("rect")
    swatch = page.locator('#legend .swatch-seat[data-status="held-by-me"] rect')
    before = mine.evaluate("el => [getComputedStyle(el).fill, el.getBBox().width]")
    assert before[0] == "rgb(147, 197, 253)", before  # --seat-mine's default
    assert mine.evaluate("el => getComputedStyle(el).rx") == "4px"
    page.evaluate(
        "() => { const s = document.documentElement.style;"
        " s.setProperty('--seat-mine', 'rgb(1, 2, 3)');"
        " s.setProperty('--seat-radius', '50%'); }"
    )
    for rect in (mine, swatch):
        assert rect.evaluate("el => getComputedStyle(el).fill") == "rgb(1, 2, 3)"
        assert rect.evaluate("el => getComputedStyle(el).rx") == "50%"
    page.evaluate(
        "() => document.documentElement.style.setProperty('--seat-radius', '0')"
    )
    assert mine.evaluate("el => getComputedStyle(el).rx") == "0px"
    page.context.close()


# The map's markup in a shadow root, under an inner element that picks the dark theme,
# as an embedding element would build it; the host page styles it from outside.
SHADOW_MAP = """
async () => {
  const sheet = document.querySelector('link[rel="stylesheet"]');
  const { applyParts } = await import(new URL('seatmap/parts.js', sheet.href).href);
  const host = document.createElement('test-seat-map');
  document.body.append(host);
  const shadow = host.attachShadow({ mode: 'open' });
  const link = sheet.cloneNode();
  const loaded = new Promise((resolve) => { link.onload = resolve; });
  const inner = document.createElement('div');
  inner.dataset.theme = 'dark';
  inner.append(document.querySelector('.seatmap-layout').cloneNode(true));
  for (const el of inner.querySelectorAll('[part]')) el.removeAttribute('part');
  shadow.append(link, inner);
  await loaded;
  applyParts(shadow);
  const outside = document.createElement('style');
  outside.textContent = `
    test-seat-map { --seat-held: rgb(1, 2, 3); --seat-radius: 0; }
    test-seat-map::part(button-primary) { background-color: rgb(4, 5, 6); }
    test-seat-map::part(legend) { outline: 3px solid rgb(7, 8, 9); }`;
  document.head.append(outside);
  const look = (selector, property) =>
    getComputedStyle(shadow.querySelector(selector)).getPropertyValue(property);
  const part = (selector) => shadow.querySelector(selector)?.getAttribute('part');
  return {
    mapBackground: look('.map-area', 'background-color'),
    heldFill: look('#legend .swatch-seat[data-status="held"] rect', 'fill'),
    heldRadius: look('#legend .swatch-seat[data-status="held"] rect', 'rx'),
    primary: look('.button.primary', 'background-color'),
    legendOutline: look('#legend', 'outline-color'),
    parts: {
      map: part('#seat-map'),
      legend: part('#legend'),
      categories: part('#category-legend'),
      tools: part('.map-tools'),
      tool: part('.map-tool'),
      panel: part('.side-panel'),
      button: part('.button:not(.primary)'),
      primary: part('.button.primary'),
      countdown: part('#countdown'),
      mySeats: part('#my-seats'),
      message: part('.message'),
    },
  };
}
"""


def test_a_host_page_restyles_a_map_in_a_shadow_root_whatever_its_theme(
    browser, selling_hall
):
    page = open_map(browser, selling_hall, **DESKTOP)
    shadow = page.evaluate(SHADOW_MAP)
    assert shadow["mapBackground"] == MAP_BG["dark"], shadow
    # The host's properties win over the inner element's theme.
    assert shadow["heldFill"] == "rgb(1, 2, 3)", shadow
    assert shadow["heldRadius"] == "0px", shadow
    assert shadow["primary"] == "rgb(4, 5, 6)", shadow
    assert shadow["legendOutline"] == "rgb(7, 8, 9)", shadow
    assert shadow["parts"] == {
        "map": "map",
        "legend": "legend",
        "categories": "category-legend",
        "tools": "zoom-tools",
        "tool": "zoom-button",
        "panel": "panel",
        "button": "button",
        "primary": "button button-primary",
        "countdown": "countdown",
        "mySeats": "my-seats",
        "message": "message",
    }, shadow
    page.context.close()


def test_seats_carry_their_parts_by_status_on_our_own_page(browser, selling_hall):
    page = open_map(browser, selling_hall, **DESKTOP)
    hold(page, 60)
    expect(seat(page, 60)).to_have_attribute("part", "seat seat-mine")
    expect(page.locator('.seat[data-status="available"]').first).to_have_attribute(
        "part", "seat seat-available"
    )
    expect(page.locator("#seat-map")).to_have_attribute("part", "map")
    seat(page, 60).click()
    expect(seat(page, 60)).to_have_attribute(
        "part", "seat seat-available", timeout=FAST
    )
    page.context.close()
