"""The embedded <seat-map> in a real browser, on the demo shop's own origin.

The seats service and the demo shop (scripts/demo_shop.py) run as two
processes on two ports, so the element's page is another origin than the
map's server: the module, the start request, the layout and the socket all
cross origins as they would between shop.example and seats.example. The
shop books through the REST API with its secret key; our own seat map page
in a second browser sees every change live.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from devtools.processes import LiveServer, Worker, free_port, live_server
from tests.frontend.pages import FAST, seat, serious_violations

pytestmark = pytest.mark.browser

START = 20_000  # ms: a first socket on a busy machine

# Every event the element raises, in order, kept on the page for the test.
RECORD_EVENTS = """
(() => {
  window.__events = [];
  const names = ['ready', 'seatselected', 'seatdeselected', 'holdchanged',
                 'holdexpired', 'checkout', 'error'];
  for (const name of names) {
    document.addEventListener(name, (event) => {
      if (event.target.localName === 'seat-map') {
        window.__events.push({ type: name, detail: event.detail });
      }
    });
  }
})();
"""


@pytest.fixture(scope="module")
def shop_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def server(tmp_path_factory, shop_port) -> Iterator[LiveServer]:
    """The demo event sells through the shop's checkout, as `make run` seeds it."""
    checkout = f"http://127.0.0.1:{shop_port}/checkout"
    with live_server(
        tmp_path_factory.mktemp("embed"),
        seeds=[
            (
                *("--rows", "4", "--seats-per-row", "8", "--allow-single-seats"),
                *("--checkout-url", checkout),
            )
        ],
        SEAT_HOLD_SECONDS="120",
    ) as server:
        yield server


@pytest.fixture(scope="module")
def shop(server, shop_port, tmp_path_factory) -> Iterator[Worker]:
    """The demo shop with a sell key and a publishable key for its origin
    (http://127.0.0.1:<port> only: http://localhost:<port> is not listed),
    serving pages written by the test from its pages folder."""
    port = shop_port
    pages = tmp_path_factory.mktemp("shop-pages")
    sell = server.manage("create_api_key", "shop", "--scope", "sell").strip()
    publishable = server.manage(
        "create_publishable_key", "shop", "--origin", f"http://127.0.0.1:{port}"
    ).strip()
    assert re.fullmatch(r"pk_\S+", publishable), publishable
    env = server.env
    server.env = {**env, "SEATS_API_KEY": sell, "SEATS_PUBLISHABLE_KEY": publishable}
    try:
        worker = server.listen(
            "shop",
            "scripts/demo_shop.py",
            *("--port", str(port), "--seats-url", server.url, "--pages", str(pages)),
            port=port,
        )
    finally:
        server.env = env
    worker.publishable = publishable
    worker.sell = sell
    worker.pages = pages
    yield worker
    server.stop(worker.process)


def shop_page(
    browser, shop: Worker, query: str, host: str = "127.0.0.1", **context_options
) -> Page:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, **context_options
    )
    page = context.new_page()
    page.add_init_script(RECORD_EVENTS)
    page.goto(f"http://{host}:{shop.port}/embed?{query}")
    return page


def events(page: Page, kind: str) -> list[dict]:
    return [e["detail"] for e in page.evaluate("window.__events") if e["type"] == kind]


def wait_for_event(page: Page, kind: str, timeout: float = FAST) -> dict:
    """The last `kind` event, once there is one. Polled from here: the shop's
    Content-Security-Policy forbids the eval that wait_for_function needs."""
    deadline = time.monotonic() + timeout / 1000
    while not (found := events(page, kind)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {kind} event within {timeout} ms")
        page.wait_for_timeout(50)
    return found[-1]


def embedded_seat(page: Page, seat_id: int):
    return page.locator(f'seat-map .seat[data-seat-id="{seat_id}"]')


def our_map(browser, server) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server.url}/events/1/")
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state", "open", timeout=START
    )
    return page


def api(server, method: str, path: str, key: str, body: dict | None = None):
    request = urllib.request.Request(
        f"{server.url}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": "embed-test",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_buyer_picks_in_german_on_the_shop_and_pays_there(browser, server, shop):
    buyer = shop_page(browser, shop, "event=1&lang=de")
    expect(embedded_seat(buyer, 1)).to_be_visible(timeout=START)
    frame = buyer.locator("seat-map .seat-map-embed")
    expect(frame).to_have_attribute("lang", "de")
    # The map's labels came in German, and its live texts too.
    expect(buyer.locator("seat-map #my-seats-title")).to_have_text("Ihre Plätze")
    expect(buyer.locator("seat-map #connection-status")).to_have_attribute(
        "data-state", "open"
    )
    assert events(buyer, "ready") == [{"eventId": 1, "lang": "de"}]
    watcher = our_map(browser, server)

    embedded_seat(buyer, 1).click()
    expect(embedded_seat(buyer, 1)).to_have_attribute("data-status", "held-by-me")
    embedded_seat(buyer, 2).click()
    expect(embedded_seat(buyer, 2)).to_have_attribute("data-status", "held-by-me")
    # Our own page, another browser: both seats held at once.
    for seat_id in (1, 2):
        expect(seat(watcher, seat_id)).to_have_attribute(
            "data-status", "held", timeout=FAST
        )
    # And the other way: a seat held on our page shows held in the shop.
    seat(watcher, 8).click()
    expect(embedded_seat(buyer, 8)).to_have_attribute(
        "data-status", "held", timeout=FAST
    )

    selected = [detail["seat"]["id"] for detail in events(buyer, "seatselected")]
    assert selected == [1, 2]
    last = events(buyer, "holdchanged")[-1]
    assert [s["id"] for s in last["seats"]] == [1, 2]
    assert last["heldUntil"] is not None
    assert buyer.evaluate(
        "document.querySelector('seat-map').selection.map((s) => s.label)"
    ) == [s["label"] for s in last["seats"]]
    expect(buyer.locator("#shop-summary")).to_contain_text("2 seat(s)")

    # The shop's own button takes the token; its checkout books with the sell key.
    buyer.locator("#shop-pay").click()
    buyer.wait_for_url(re.compile(r"/checkout\?hold_token="))
    buyer.locator("#pay").click()
    expect(buyer.locator(".reference")).to_contain_text("BK-")
    for seat_id in (1, 2):
        expect(seat(watcher, seat_id)).to_have_attribute(
            "data-status", "booked", timeout=FAST
        )


def test_the_element_raises_its_events_and_hands_over_the_token(browser, server, shop):
    buyer = shop_page(browser, shop, "event=1&lang=en")
    expect(embedded_seat(buyer, 20)).to_be_visible(timeout=START)
    embedded_seat(buyer, 20).click()
    expect(embedded_seat(buyer, 20)).to_have_attribute("data-status", "held-by-me")
    # The element's own "Continue to checkout" raises `checkout` with the token;
    # the shop's script takes the buyer to its checkout with it.
    buyer.locator("seat-map #checkout-button").click()
    buyer.wait_for_url(re.compile(r"/checkout\?hold_token="))
    token = re.search(r"hold_token=([^&]+)", buyer.url).group(1)
    status, hold = api(server, "GET", f"/api/v1/holds/{token}", shop.sell)
    assert status == 200, hold
    assert [s["id"] for s in hold["seats"]] == [20]

    # Back on the shop's page, the element finds its visitor and its hold again.
    buyer.go_back()
    expect(embedded_seat(buyer, 20)).to_have_attribute(
        "data-status", "held-by-me", timeout=START
    )
    handed = buyer.evaluate("document.querySelector('seat-map').holdToken()")
    assert handed["holdToken"] == token and handed["seatIds"] == [20]

    # A publishable key books nothing, whatever the page does with the token.
    status, problem = api(
        server,
        "POST",
        "/api/v1/bookings",
        shop.publishable,
        {"hold_token": handed["holdToken"], "customer": {"name": "Eve"}},
    )
    assert status == 403 and problem["code"] == "publishable_key", problem

    buyer.evaluate("document.querySelector('seat-map').release()")
    expect(embedded_seat(buyer, 20)).to_have_attribute("data-status", "available")
    assert [d["seat"]["id"] for d in events(buyer, "seatdeselected")] == [20]
    # A refused request reaches the page as `error`, with the text the buyer read.
    other = our_map(browser, server)
    seat(other, 30).click()
    expect(embedded_seat(buyer, 30)).to_have_attribute(
        "data-status", "held", timeout=FAST
    )
    embedded_seat(buyer, 30).click()
    error = wait_for_event(buyer, "error")
    assert error["code"] == "seats_unavailable", error
    assert error["message"]


def test_an_origin_not_on_the_key_is_refused_clearly(browser, shop):
    # localhost is another origin than 127.0.0.1: the same page, not on the list.
    page = shop_page(browser, shop, "event=1&lang=de", host="localhost")
    refusal = page.locator("seat-map .embed-refusal")
    expect(refusal).to_have_attribute("data-code", "origin_not_allowed", timeout=START)
    expect(refusal).to_have_attribute("role", "alert")
    assert events(page, "error")[0]["code"] == "origin_not_allowed"
    expect(page.locator("seat-map .seat")).to_have_count(0)
    # Refused in German too: the page asked for German.
    expect(refusal).not_to_have_text("This seat map may not be shown on this website.")


@pytest.mark.parametrize(("theme", "seat_id"), [("light", 3), ("dark", 5)])
def test_axe_clean_in_every_theme(browser, shop, theme, seat_id):
    # axe-core is injected as an inline script, which the shop's policy forbids:
    # this page alone runs without it (the other tests keep it).
    page = shop_page(browser, shop, f"event=1&lang=en&theme={theme}", bypass_csp=True)
    expect(embedded_seat(page, seat_id)).to_be_visible(timeout=START)
    embedded_seat(page, seat_id).click()
    expect(embedded_seat(page, seat_id)).to_have_attribute("data-status", "held-by-me")
    expect(page.locator("seat-map .seat-map-embed")).to_have_attribute(
        "data-theme", theme
    )
    assert serious_violations(page) == []
    page.evaluate("document.querySelector('seat-map').release()")


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es", "nl"])
def test_every_language_renders_without_a_missing_message(browser, server, shop, lang):
    page = shop_page(browser, shop, f"event=1&lang={lang}")
    expect(embedded_seat(page, 4)).to_be_visible(timeout=START)
    embedded_seat(page, 4).click()
    expect(embedded_seat(page, 4)).to_have_attribute("data-status", "held-by-me")
    page.evaluate("document.querySelector('seat-map').release()")
    expect(embedded_seat(page, 4)).to_have_attribute("data-status", "available")
    missing = page.evaluate(
        f"import('{server.url}/static/frontend/common/i18n.js')"
        ".then((m) => [...m.missingMessages()])"
    )
    assert missing == [], missing


def test_the_shop_restyles_and_rewords_the_map(browser, shop):
    page = shop_page(browser, shop, "event=1&lang=de")
    expect(embedded_seat(page, 6)).to_be_visible(timeout=START)
    rounding = (
        "getComputedStyle(document.querySelector('seat-map').shadowRoot"
        ".querySelector('.seat[data-seat-id=\"6\"] rect')).rx"
    )
    before = page.evaluate(rounding)
    # Custom properties set on the element reach into its shadow root (CSSOM,
    # which the shop's policy allows), and so do ::part() rules.
    page.evaluate(
        "document.querySelector('seat-map').style.setProperty('--seat-radius', '50%')"
    )
    assert page.evaluate(rounding) == "50%" != before
    expect(page.locator("seat-map .seat[data-seat-id='6']")).to_have_attribute(
        "part", re.compile(r"\bseat-available\b")
    )

    # Our words replaced by the shop's: a label as shown (German here) and a
    # text the element writes, by its English original.
    page.evaluate(
        "document.querySelector('seat-map').messages = {"
        "'Ihre Plätze': 'Ihre Auswahl',"
        "'This seat map cannot be shown: its key is not valid.': 'Falscher Schlüssel.'}"
    )
    expect(page.locator("seat-map #my-seats-title")).to_have_text("Ihre Auswahl")
    page.evaluate(
        "document.querySelector('seat-map').setAttribute('key', 'pk_unknown')"
    )
    refusal = page.locator("seat-map .embed-refusal")
    expect(refusal).to_have_attribute("data-code", "key_invalid", timeout=START)
    expect(refusal).to_have_text("Falscher Schlüssel.")


def test_the_snippet_alone_sells_through_the_events_checkout(browser, server, shop):
    """docs/embed.md's snippet pasted into a page of the shop's origin, nothing
    else: the element's own button takes the buyer to the event's checkout."""
    (shop.pages / "mine.html").write_text(
        '<!DOCTYPE html><html lang="de"><meta charset="utf-8">'
        "<title>Mein Shop</title>\n"
        f'<script type="module" src="{server.url}/embed/v1/seat-map.js"></script>\n'
        f'<seat-map event="1" key="{shop.publishable}" lang="de"></seat-map>\n'
    )
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"http://127.0.0.1:{shop.port}/pages/mine.html")
    expect(embedded_seat(page, 12)).to_be_visible(timeout=START)
    embedded_seat(page, 12).click()
    expect(embedded_seat(page, 12)).to_have_attribute("data-status", "held-by-me")
    page.locator("seat-map #checkout-button").click()
    page.wait_for_url(re.compile(r"/checkout\?hold_token=.+&event_id=1"))
    page.locator("#pay").click()
    expect(page.locator(".reference")).to_contain_text("BK-")
