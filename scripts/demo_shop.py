"""A stand-in shop: the other end of "Continue to checkout" (docs/integration.md).

    SEATS_API_KEY=$(python manage.py create_api_key shop --scope sell) \\
        python scripts/demo_shop.py [--port 8100] [--seats-url http://127.0.0.1:8000]

What a real shop's backend does, in as little as will show it:

* GET /checkout?hold_token=..&event_id=..  the page the seat map sends the
  buyer to: the hold's seats (GET /api/v1/holds/{token}) and a Pay button.
* POST /pay   books the hold (POST /api/v1/bookings, with an
  Idempotency-Key made when the checkout page was drawn, so paying twice
  books once) and shows the booking reference.
* POST /webhooks   checks each delivery's Standard Webhooks signature with
  SEATS_WEBHOOK_SECRET (the endpoint's secret from the admin) and prints
  one line per message: its type, its webhook-id and whether it verified.
* GET /embed?event=..  the seat map embedded in the shop's own page with
  SEATS_PUBLISHABLE_KEY (scripts/shop_embed.py, docs/embed.md); and
  GET /pages/NAME.html, pages of your own from --pages (the snippet pasted).

Plain HTML forms; JavaScript only beside the embedded map. The standard
library's HTTP server and client, and the `standardwebhooks` package. Only
the secret API key books, from this process: the buyer's browser never
sees it (the publishable key is made to be seen).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

# The embedded-map pages live beside this file (run as a script or loaded by path).
sys.path.insert(0, str(Path(__file__).resolve().parent))
import shop_embed  # noqa: E402

API_TIMEOUT = 10  # seconds for each call to the seats API
MAX_BODY = 1 << 20  # a form post or a webhook is far smaller


@dataclass(frozen=True)
class Shop:
    seats_url: str  # the seats service, e.g. http://127.0.0.1:8000
    api_key: str
    webhook_secret: str = ""
    # The embedded map's key (docs/embed.md) and the folder of /pages/.
    publishable_key: str = ""
    pages_dir: Path | None = None


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def call_api(
    shop: Shop,
    method: str,
    path: str,
    body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ApiAnswer:
    """One request to the seats API; problem documents come back as answers too."""
    request = urllib.request.Request(
        shop.seats_url.rstrip("/") + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {shop.api_key}",
            "Accept": "application/json",
            **({"Content-Type": "application/json"} if body is not None else {}),
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=API_TIMEOUT) as response:
            return ApiAnswer(response.status, _json(response.read()))
    except urllib.error.HTTPError as error:
        return ApiAnswer(error.code, _json(error.read()))
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        return ApiAnswer(
            HTTPStatus.BAD_GATEWAY,
            {"title": "The seats service did not answer", "detail": str(reason)},
        )


def _json(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw or b"{}")
    except ValueError:
        return {"title": "Not JSON", "detail": raw[:200].decode(errors="replace")}
    return document if isinstance(document, dict) else {"value": document}


# Pages


def page(title: str, *parts: str) -> bytes:
    body = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{esc(title)} · Demo shop</title>
  <link rel="stylesheet" href="/static/shop.css">
</head>
<body>
<header>
  <p><strong>Demo shop</strong>: a stand-in for your shop (scripts/demo_shop.py)</p>
</header>
<main>
<h1>{esc(title)}</h1>
{body}
</main>
</body>
</html>
""".encode()


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def seat_list(seats: list[dict[str, Any]]) -> str:
    """The seats, with their prices and the total when the API gives them."""
    items = "".join(
        f'<li data-seat-id="{esc(s.get("id", ""))}">{esc(s.get("label", "?"))}'
        + (f" · {esc(s['price'])} {esc(s.get('currency', ''))}" if "price" in s else "")
        + "</li>"
        for s in seats
    )
    return f'<ul class="seats">{items}</ul>' + total(seats)


def total(seats: list[dict[str, Any]]) -> str:
    sums: dict[str, Decimal] = {}
    for seat in seats:
        try:
            price = Decimal(str(seat["price"]))
        except (KeyError, InvalidOperation):
            continue
        currency = str(seat.get("currency", ""))
        sums[currency] = sums.get(currency, Decimal(0)) + price
    if not sums:
        return ""
    text = " + ".join(f"{amount} {currency}" for currency, amount in sums.items())
    return f'<p>Total <strong id="total">{esc(text)}</strong></p>'


def problem(answer: ApiAnswer) -> str:
    body = answer.body
    code = body.get("code")
    title = esc(body.get("title", "Error"))
    return (
        f'<div class="problem" role="alert"><p><strong>{title}</strong>'
        f" (HTTP {answer.status}{f', {esc(code)}' if code else ''})</p>"
        + (f"<p>{esc(body['detail'])}</p>" if body.get("detail") else "")
        + "</div>"
    )


def map_link(shop: Shop, event_id: str) -> str:
    if not event_id.isdigit():
        return ""
    url = f"{shop.seats_url.rstrip('/')}/events/{event_id}/"
    return f'<p><a href="{esc(url)}">Back to the seat map</a></p>'


def checkout_page(shop: Shop, token: str, event_id: str) -> tuple[int, bytes]:
    if not token:
        return HTTPStatus.BAD_REQUEST, page(
            "Checkout", "<p>No hold_token: start from the seat map.</p>"
        )
    answer = call_api(shop, "GET", f"/api/v1/holds/{urllib.parse.quote(token)}")
    if not answer.ok:
        return HTTPStatus.OK, page(
            "Your hold has ended",
            problem(answer),
            "<p>Pick your seats again on the seat map.</p>",
            map_link(shop, event_id),
        )
    hold = answer.body
    event_id = str(hold.get("event_id", event_id))
    # Made once per drawn page: pressing Pay twice (or reloading the answer)
    # sends the same key, and the API books once.
    idempotency_key = str(uuid.uuid4())
    return HTTPStatus.OK, page(
        "Checkout",
        f"<p>Event {esc(event_id)}: your seats, held until "
        f'<time datetime="{esc(hold.get("held_until", ""))}">'
        f"{esc(hold.get('held_until', '?'))}</time>.</p>",
        seat_list(hold.get("seats", [])),
        f"""<form method="post" action="/pay">
  <input type="hidden" name="hold_token" value="{esc(token)}">
  <input type="hidden" name="event_id" value="{esc(event_id)}">
  <input type="hidden" name="idempotency_key" value="{esc(idempotency_key)}">
  <label for="name">Name</label>
  <input id="name" name="name" value="Ada Lovelace" autocomplete="name">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" value="ada@example.com"
         autocomplete="email">
  <div><button type="submit" id="pay">Pay</button></div>
</form>""",
    )


def pay(shop: Shop, form: Mapping[str, str]) -> tuple[int, bytes]:
    token = form.get("hold_token", "")
    event_id = form.get("event_id", "")
    key = form.get("idempotency_key") or str(uuid.uuid4())
    answer = call_api(
        shop,
        "POST",
        "/api/v1/bookings",
        {
            "hold_token": token,
            "external_reference": f"demo-{key[:8]}",
            "customer": {"name": form.get("name", ""), "email": form.get("email", "")},
        },
        headers={"Idempotency-Key": key},
    )
    if not answer.ok:
        return HTTPStatus.OK, page(
            "Payment not booked", problem(answer), map_link(shop, event_id)
        )
    booking = answer.body
    return HTTPStatus.OK, page(
        "Thank you",
        "<p>Your booking reference is</p>",
        f'<p class="reference" id="reference">{esc(booking.get("reference", "?"))}</p>',
        seat_list(booking.get("seats", [])),
        map_link(shop, str(booking.get("event_id", event_id))),
    )


def webhook(shop: Shop, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
    """Check one delivery; the line to print and the status to answer."""
    message_id = headers.get("webhook-id", "-")
    if shop.webhook_secret:
        try:
            document = Webhook(shop.webhook_secret).verify(body, dict(headers))
            verified = "yes"
        except (WebhookVerificationError, ValueError):
            document, verified = _json(body), "NO"
    else:
        document, verified = _json(body), "unchecked (no SEATS_WEBHOOK_SECRET)"
    kind = document.get("type", "?") if isinstance(document, dict) else "?"
    line = f"webhook {kind} {message_id} verified={verified}"
    # A forged or garbled message is refused; the sender retries real ones.
    return (HTTPStatus.BAD_REQUEST if verified == "NO" else HTTPStatus.NO_CONTENT), line


# Server


class Handler(BaseHTTPRequestHandler):
    server: ShopServer
    server_version = "DemoShop/1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/checkout":
            status, body = checkout_page(
                self.server.shop, query.get("hold_token", ""), query.get("event_id", "")
            )
            self.send_page(status, body)
        elif url.path == "/":
            self.send_page(
                HTTPStatus.OK,
                page(
                    "Demo shop",
                    "<p>Buyers arrive here from the seat map's "
                    "<q>Continue to checkout</q>, or pick seats on "
                    '<a href="/embed?event=1">the seat map embedded here</a>.</p>',
                ),
            )
        elif url.path == "/embed":
            shop = self.server.shop
            status, body = shop_embed.embed_page(
                shop.seats_url,
                shop.publishable_key,
                query.get("event", ""),
                query.get("lang", "en"),
                query.get("theme", "light"),
            )
            self.send_page(status, page("Pick your seats", body))
        elif url.path.startswith("/static/"):
            found = shop_embed.static_file(url.path.removeprefix("/static/"))
            if found is None:
                self.send_page(HTTPStatus.NOT_FOUND, page("Not found"))
            else:
                self.send_file(*found)
        elif url.path.startswith("/pages/"):
            name = url.path.removeprefix("/pages/")
            body = shop_embed.pasted_page(self.server.shop.pages_dir, name)
            if body is None:
                self.send_page(HTTPStatus.NOT_FOUND, page("Not found"))
            else:
                self.send_page(HTTPStatus.OK, body)
        else:
            self.send_page(HTTPStatus.NOT_FOUND, page("Not found"))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_page(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, page("Too large"))
            return
        body = self.rfile.read(length)
        path = urllib.parse.urlsplit(self.path).path
        if path == "/pay":
            form = dict(urllib.parse.parse_qsl(body.decode(errors="replace")))
            self.send_page(*pay(self.server.shop, form))
        elif path == "/webhooks":
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, line = webhook(self.server.shop, body, headers)
            print(line, flush=True)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_page(HTTPStatus.NOT_FOUND, page("Not found"))

    def send_page(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        # The hold token is in this page's URL: keep it out of caches and out
        # of the Referer of the link back to the seat map.
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header(
            "Content-Security-Policy", shop_embed.csp(self.server.shop.seats_url)
        )
        self.end_headers()
        self.wfile.write(body)

    def send_file(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        # The path without its query: the access log gets no hold tokens.
        path = urllib.parse.urlsplit(self.path).path
        sys.stderr.write(f"{self.command} {path} {args[1] if len(args) > 1 else ''}\n")


class ShopServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], shop: Shop):
        super().__init__(address, Handler)
        self.shop = shop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument(
        "--seats-url",
        default="http://127.0.0.1:8000",
        help="Where the seats service runs (default: %(default)s).",
    )
    parser.add_argument(
        "--pages",
        type=Path,
        default=Path("var/shop-pages"),
        help="Your own pages, served at /pages/NAME.html (default: %(default)s).",
    )
    options = parser.parse_args(argv)
    api_key = os.environ.get("SEATS_API_KEY", "")
    if not api_key:
        print(
            "SEATS_API_KEY is not set: make one with\n"
            "  export SEATS_API_KEY=$(python manage.py create_api_key shop "
            "--scope sell)",
            file=sys.stderr,
        )
        return 2
    shop = Shop(
        seats_url=options.seats_url,
        api_key=api_key,
        webhook_secret=os.environ.get("SEATS_WEBHOOK_SECRET", ""),
        publishable_key=os.environ.get("SEATS_PUBLISHABLE_KEY", ""),
        pages_dir=options.pages,
    )
    server = ShopServer((options.host, options.port), shop)
    host, port = server.server_address[:2]
    print(
        f"Demo shop on http://{host}:{port}/ (checkout: /checkout, webhooks: "
        f"/webhooks) selling through {shop.seats_url}"
        + ("" if shop.webhook_secret else "; webhooks unchecked"),
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
