"""scripts/demo_shop.py against a stub of the seats API: pages, booking, webhooks.

The stub answers as the REST API's contract says (docs/integration.md) and
records what the shop sent, so these tests need no seats server.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk_test1234_secret"
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
TOKEN = "tok-running"
HOLD = {
    "token": TOKEN,
    "event_id": 7,
    "seats": [
        {"id": 11, "label": "A1", "price": "60.00", "currency": "EUR"},
        {"id": 12, "label": "A2", "price": "45.50", "currency": "EUR"},
    ],
    "held_until": "2030-01-01T12:05:00Z",
    "max_until": "2030-01-01T12:15:00Z",
}


def load_shop():
    spec = importlib.util.spec_from_file_location(
        "demo_shop", ROOT / "scripts" / "demo_shop.py"
    )
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up while the class is made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


demo_shop = load_shop()


class StubApi(BaseHTTPRequestHandler):
    """GET /api/v1/holds/{token} and POST /api/v1/bookings, as the contract says."""

    def do_GET(self):  # noqa: N802
        self.server.seen.append(("GET", self.path, dict(self.headers), b""))
        if self.path == f"/api/v1/holds/{TOKEN}":
            self.answer(200, HOLD)
        else:
            self.answer(404, {"title": "No such hold", "code": "hold_not_found"})

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.seen.append(("POST", self.path, dict(self.headers), body))
        sent = json.loads(body)
        if sent["hold_token"] != TOKEN:
            self.answer(404, {"title": "No such hold", "code": "hold_not_found"})
            return
        self.answer(
            201,
            {
                "reference": "BK-ABCD1234",
                "status": "confirmed",
                "event_id": 7,
                "seats": HOLD["seats"],
                "external_reference": sent["external_reference"],
                "customer": sent["customer"],
                "hold_token": TOKEN,
                "created_at": "2030-01-01T12:01:00Z",
                "cancelled_at": None,
            },
        )

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        kind = "application/json" if status < 400 else "application/problem+json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(server) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def api() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubApi)
    server.seen = []
    serve(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def shop(api) -> Iterator[str]:
    seats_url = f"http://127.0.0.1:{api.server_address[1]}"
    server = demo_shop.ShopServer(
        ("127.0.0.1", 0),
        demo_shop.Shop(seats_url=seats_url, api_key=KEY, webhook_secret=SECRET),
    )
    serve(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, str, dict]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode(), dict(response.headers)


def post(url: str, data: bytes, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_checkout_shows_the_hold_and_pay_books_it_once(shop, api):
    status, html, headers = get(f"{shop}/checkout?hold_token={TOKEN}&event_id=7")

    assert status == 200
    assert re.findall(r"<li data-seat-id=\"\d+\">([^<]+)</li>", html) == [
        "A1 · 60.00 EUR",
        "A2 · 45.50 EUR",
    ]
    assert re.search(r'id="total">105.50 EUR<', html)
    assert 'action="/pay"' in html and ">Pay</button>" in html
    assert KEY not in html  # the API key never reaches the buyer
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    method, path, sent_headers, _ = api.seen[-1]
    assert (method, path) == ("GET", f"/api/v1/holds/{TOKEN}")
    assert sent_headers["Authorization"] == f"Bearer {KEY}"

    form = {
        name: hidden(html, name)
        for name in ("hold_token", "event_id", "idempotency_key")
    }
    form |= {"name": "Ada", "email": "ada@example.com"}
    status, answer = post(f"{shop}/pay", urllib.parse.urlencode(form).encode())

    assert status == 200
    assert re.search(r'id="reference">BK-ABCD1234<', answer)
    method, path, sent_headers, body = api.seen[-1]
    assert (method, path) == ("POST", "/api/v1/bookings")
    assert sent_headers["Authorization"] == f"Bearer {KEY}"
    assert sent_headers["Idempotency-Key"] == form["idempotency_key"]
    booking = json.loads(body)
    assert booking["hold_token"] == TOKEN
    assert booking["customer"] == {"name": "Ada", "email": "ada@example.com"}
    assert booking["external_reference"].startswith("demo-")
    assert "seat_ids" not in booking  # all seats of the hold


def test_each_checkout_page_has_its_own_idempotency_key(shop):
    first = hidden(
        get(f"{shop}/checkout?hold_token={TOKEN}&event_id=7")[1], "idempotency_key"
    )
    second = hidden(
        get(f"{shop}/checkout?hold_token={TOKEN}&event_id=7")[1], "idempotency_key"
    )

    assert first and second and first != second


def test_an_ended_hold_says_so_and_links_back_to_the_map(shop, api):
    status, html, _ = get(f"{shop}/checkout?hold_token=gone&event_id=7")

    assert status == 200
    assert "Your hold has ended" in html and "hold_not_found" in html
    seats_url = f"http://127.0.0.1:{api.server_address[1]}"
    assert f'href="{seats_url}/events/7/"' in html
    assert "<form" not in html


def test_paying_for_an_ended_hold_shows_the_problem(shop):
    form = {"hold_token": "gone", "event_id": "7", "idempotency_key": "k1"}
    status, html = post(f"{shop}/pay", urllib.parse.urlencode(form).encode())

    assert status == 200
    assert "Payment not booked" in html and "hold_not_found" in html


def test_markup_in_answers_is_escaped(shop, api):
    HOLD["seats"].append({"id": 13, "label": "<script>x</script>"})
    try:
        html = get(f"{shop}/checkout?hold_token={TOKEN}&event_id=7")[1]
    finally:
        HOLD["seats"].pop()

    assert "<script>x" not in html and "&lt;script&gt;x" in html


def signed(body: bytes, message_id: str, secret: str = SECRET) -> dict[str, str]:
    now = datetime.now(tz=UTC)
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body.decode()),
    }


def test_webhooks_are_verified_and_printed_one_line_each(shop, capsys):
    body = json.dumps(
        {"type": "booking.created", "timestamp": "2030-01-01T12:01:00Z", "data": {}}
    ).encode()
    forger = "whsec_" + "A" * 43 + "="

    good = post(f"{shop}/webhooks", body, signed(body, "msg_good"))
    forged = post(f"{shop}/webhooks", body, signed(body, "msg_bad", secret=forger))
    unsigned = post(f"{shop}/webhooks", body, {"webhook-id": "msg_none"})

    assert [good[0], forged[0], unsigned[0]] == [204, 400, 400]
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "webhook booking.created msg_good verified=yes",
        "webhook booking.created msg_bad verified=NO",
        "webhook booking.created msg_none verified=NO",
    ]


def test_without_a_key_the_shop_says_how_to_make_one(monkeypatch, capsys):
    monkeypatch.delenv("SEATS_API_KEY", raising=False)

    assert demo_shop.main(["--port", "0"]) == 2
    assert "create_api_key shop --scope sell" in capsys.readouterr().err
