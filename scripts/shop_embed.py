"""The demo shop's pages with our seat map embedded (docs/embed.md).

* GET /embed?event=ID[&lang=de][&theme=dark]  the shop's own page with `<seat-map>`: the
  buyer picks seats on the live map and pays here; the element hands the
  hold token to the shop's script, which sends the buyer to /checkout.
* GET /pages/NAME.html  a page you wrote yourself (the documented snippet
  pasted in), from the shop's pages folder: try the snippet on this origin.
* GET /static/NAME  the shop's own stylesheet and script.

Every page carries a strict Content-Security-Policy (no inline scripts or
styles; scripts, styles and connections only from here and from the seats
service), which the embedded map must live with.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlsplit

STATIC_DIR = Path(__file__).resolve().parent / "shop_static"
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}
PAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.html$")
LANGUAGES = ("en", "de", "fr", "es", "nl")
THEMES = ("light", "dark")


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def csp(seats_url: str) -> str:
    """The shop's policy: its own files and the seats service, nothing inline."""
    seats = urlsplit(seats_url)
    origin = f"{seats.scheme}://{seats.netloc}"
    socket = ("wss" if seats.scheme == "https" else "ws") + f"://{seats.netloc}"
    return (
        f"default-src 'self'; script-src 'self' {origin}; style-src 'self' {origin}; "
        f"connect-src 'self' {origin} {socket}; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def snippet(
    seats_url: str, event_id: str, key: str, lang: str, theme: str = "light"
) -> str:
    """The copy-paste snippet of docs/embed.md, for this shop's event."""
    module = f"{seats_url.rstrip('/')}/embed/v1/seat-map.js"
    return (
        f'<script type="module" src="{esc(module)}"></script>\n'
        f'<seat-map event="{esc(event_id)}" key="{esc(key)}" '
        f'lang="{esc(lang)}" theme="{esc(theme)}"></seat-map>'
    )


def embed_page(
    seats_url: str, key: str, event_id: str, lang: str, theme: str = "light"
) -> tuple[int, str]:
    """The shop's seat page: the map, the shop's own summary and Pay button."""
    if not key:
        return 503, (
            "<p>No publishable key: start the shop with SEATS_PUBLISHABLE_KEY set "
            "(<code>python manage.py create_publishable_key shop --origin "
            "http://127.0.0.1:8100</code>).</p>"
        )
    if not event_id.isdigit():
        return 400, "<p>Which event? Open <code>/embed?event=1</code>.</p>"
    lang = lang if lang in LANGUAGES else "en"
    theme = theme if theme in THEMES else "light"
    choices = " · ".join(
        f'<a href="/embed?event={esc(event_id)}&amp;lang={code}"'
        + (' aria-current="true"' if code == lang else "")
        + f">{code}</a>"
        for code in LANGUAGES
    )
    return (
        200,
        f"""<p class="languages">{choices}</p>
{snippet(seats_url, event_id, key, lang, theme)}
<section class="shop-order" aria-labelledby="order-title">
  <h2 id="order-title">Your order</h2>
  <p id="shop-summary">No seats picked yet.</p>
  <p id="shop-notice" class="problem" role="alert" hidden></p>
  <button type="button" id="shop-pay" disabled>Pay for these seats</button>
</section>
<script type="module" src="/static/shop-embed.js"></script>""",
    )


def static_file(name: str) -> tuple[bytes, str] | None:
    """One of the shop's own files, or None."""
    path = STATIC_DIR / name
    kind = STATIC_TYPES.get(path.suffix)
    if kind is None or "/" in name or not path.is_file():
        return None
    return path.read_bytes(), kind


def pasted_page(pages_dir: Path | None, name: str) -> bytes | None:
    """A page of the shop's pages folder, served as written, or None."""
    if pages_dir is None or not PAGE_NAME.match(name):
        return None
    path = pages_dir / name
    return path.read_bytes() if path.is_file() else None
