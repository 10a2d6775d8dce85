"""The hand-off in a real browser: pick seats, "Continue to checkout", the shop books.

The shop is a tiny receiver run by the test (it records the request the
browser lands with); booking goes through the REST API over HTTP with a
sell key made by `manage.py create_api_key`, and a second person's map sees
the seats turn booked live.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from devtools.processes import ADMIN_PASSWORD, LiveServer, live_server
from tests.frontend.pages import (
    FAST,
    log_in,
    map_version,
    seat,
    serious_violations,
)

pytestmark = pytest.mark.browser

LANDING = 5_000  # ms: the POST, the redirect and the shop's page


class Receiver(BaseHTTPRequestHandler):
    """The shop's checkout page: records each request, answers a plain page."""

    def do_GET(self):  # noqa: N802
        self.server.requests.append((self.path, dict(self.headers)))
        body = b"<!DOCTYPE html><title>Shop</title><h1>Shop checkout</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def receiver_url(receiver) -> str:
    return f"http://127.0.0.1:{receiver.server_address[1]}/checkout?shop=demo"


@pytest.fixture(scope="module")
def shop_server(tmp_path_factory, receiver) -> Iterator[LiveServer]:
    """A server whose event sells through the receiver; holds long enough to pay."""
    with live_server(
        tmp_path_factory.mktemp("checkout"),
        seeds=[
            (
                *("--rows", "4", "--seats-per-row", "8", "--allow-single-seats"),
                *("--checkout-url", receiver_url(receiver)),
            )
        ],
        SEAT_HOLD_SECONDS="60",
        SEAT_HOLD_MAX_SECONDS="120",
        SEAT_SWEEP_SECONDS="0.5",
    ) as server:
        yield server


def open_recording(browser, server, frames: list[str], event_id: int = 1) -> Page:
    """The seat map in a context of its own, every WebSocket frame it gets recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))),
    )
    page.goto(f"{server.url}/events/{event_id}/")
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state",
        "open",
        timeout=20_000,  # a first socket on a busy machine
    )
    expect(page.locator("[data-seat-id]").first).to_be_visible()
    return page


def book(server, key: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{server.url}/api/v1/bookings",
        method="POST",
        data=json.dumps(
            {
                "hold_token": token,
                "external_reference": "order-17",
                "customer": {"name": "Ada", "email": "ada@example.com"},
            }
        ).encode(),
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_checkout_hands_the_hold_to_the_shop_which_books_it(
    browser, shop_server, receiver
):
    key = shop_server.manage("create_api_key", "test-shop", "--scope", "sell").strip()
    assert re.fullmatch(r"sk_[0-9a-f]+_\S+", key), key
    watcher_frames: list[str] = []
    buyer_frames: list[str] = []
    watcher = open_recording(browser, shop_server, watcher_frames)
    buyer = open_recording(browser, shop_server, buyer_frames)
    checkout = buyer.get_by_role("button", name="Continue to checkout")
    expect(checkout).to_be_disabled()  # nothing held yet

    for seat_id in (1, 2):
        seat(buyer, seat_id).click()
        expect(seat(buyer, seat_id)).to_have_attribute(
            "data-status", "held-by-me", timeout=FAST
        )
    for seat_id in (1, 2):
        expect(seat(watcher, seat_id)).to_have_attribute(
            "data-status", "held", timeout=FAST
        )
    expect(checkout).to_be_enabled(timeout=FAST)
    assert serious_violations(buyer) == []

    checkout.click()
    buyer.wait_for_url(re.compile(r"/checkout\?"), timeout=LANDING)

    landed = urlsplit(buyer.url)
    assert landed.port == receiver.server_address[1]
    query = parse_qs(landed.query)
    assert query["shop"] == ["demo"] and query["event_id"] == ["1"]
    (token,) = query["hold_token"]
    (path,) = [p for p, _ in receiver.requests if p.startswith("/checkout?")]
    assert parse_qs(urlsplit(path).query)["hold_token"] == [token]
    expect(buyer.locator("h1")).to_have_text("Shop checkout")

    before = map_version(watcher)
    status, booking = book(shop_server, key, token)

    assert status == 201, booking
    assert re.fullmatch(r"BK-\w+", booking["reference"])
    assert sorted(s["id"] for s in booking["seats"]) == [1, 2]
    assert booking["external_reference"] == "order-17"
    for seat_id in (1, 2):
        expect(seat(watcher, seat_id)).to_have_attribute(
            "data-status", "booked", timeout=LANDING
        )
    assert map_version(watcher) > before
    # The token went from our server to the shop in one redirect, and nowhere else.
    assert not [f for f in watcher_frames + buyer_frames if token in f]
    # It was a capability for that hold only: it is spent now.
    again, problem = book(shop_server, key, token)
    assert again == 404 and problem.get("code") == "hold_not_found", problem
    watcher.context.close()
    buyer.context.close()


def test_checkout_after_the_hold_ended_comes_back_with_a_notice(browser, shop_server):
    buyer = open_recording(browser, shop_server, [])
    seat(buyer, 9).click()
    expect(seat(buyer, 9)).to_have_attribute("data-status", "held-by-me", timeout=FAST)
    checkout = buyer.get_by_role("button", name="Continue to checkout")
    expect(checkout).to_be_enabled(timeout=FAST)
    # Another tab of the same browser (same session) releases the seat meanwhile.
    other_tab = buyer.context.new_page()
    other_tab.goto(f"{shop_server.url}/events/1/")
    seat(other_tab, 9).click()
    expect(seat(other_tab, 9)).to_have_attribute(
        "data-status", "available", timeout=FAST
    )
    # The first tab's button may still be enabled for a moment: submit the form
    # itself, as a stale page would.
    buyer.locator("#checkout-form").evaluate("form => form.submit()")

    buyer.wait_for_url(re.compile(r"/events/1/$"), timeout=LANDING)
    expect(buyer.get_by_role("alert")).to_have_text(
        "Your hold has ended; pick seats again."
    )
    buyer.context.close()


DISABLED_ENDPOINT = """
from django.utils import timezone
from seats.models import WebhookEndpoint
WebhookEndpoint.objects.create(
    url="http://127.0.0.1:9/broken-hooks",
    enabled=False,
    disabled_reason="Failed for 24 hours",
    failing_since=timezone.now(),
)
"""


def test_the_dashboard_flags_a_disabled_webhook_endpoint(browser, shop_server):
    shop_server.manage("shell", "-c", DISABLED_ENDPOINT)
    staff = browser.new_context()
    page = log_in(staff, shop_server, "admin", ADMIN_PASSWORD)
    expect(page).to_have_url(re.compile("/dashboard/$"), timeout=LANDING)

    panel = page.get_by_role("region", name="Webhooks")
    row = panel.locator("tr.webhook-row", has_text="broken-hooks")
    expect(row).to_have_class(re.compile(r"\bis-disabled\b"))
    expect(row.locator(".webhook-state")).to_have_text("Disabled: Failed for 24 hours")
    expect(row.locator(".webhook-pending")).to_have_text("0")
    # The warning is not colour alone: the state cell says so in words too.
    # (Styles apply once the stylesheet has come: the URL and the text above
    # are there as soon as the HTML is, which on a loaded machine is earlier.)
    page.wait_for_load_state("load")
    assert (
        row.locator(".webhook-state").evaluate(
            "el => getComputedStyle(el, '::before').content"
        )
        == '"⚠ "'
    )
    assert serious_violations(page) == []
    staff.close()
