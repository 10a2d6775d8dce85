"""What the browser tests do with pages: open them, find seats, check them with axe."""

from __future__ import annotations

import json
import os
import struct
import time
import urllib.request
from pathlib import Path

import axe_playwright_python
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# ms: pushed, not polled or resynced. Room for a machine running the suite in
# parallel, and still short of what a heartbeat (5 s) and its resync would take.
FAST = 4_000
# axe-core as shipped inside the pinned PyPI package: served from disk, no CDN.
AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
# The README's images: rewritten only on request (SEATS_SCREENSHOTS=1).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The page's own clock stands still: countdowns never run out, so a hold it shows
# as freed was freed by the server's push. (A clock that is merely off is corrected
# by the server_time of the snapshot; one that stops is not.)
STOPPED_CLOCK = """
(() => {
  const stopped = Date.now();
  Date.now = () => stopped;
})();
"""


# Keeps a handle on the page's sockets, so the test can hand synthetic frames to the
# seat map's own message handler (nothing in the app changes); `__fullSnapshot()` is
# the whole map as the page's session sees it (the HTTP snapshot: the page's own
# socket sends the live state and a layout document instead).
CAPTURE_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
    }
  };
  window.__fullSnapshot = async () => {
    const id = document.getElementById('seatmap-app').dataset.eventId;
    const response = await fetch(`/api/events/${id}/seats/`);
    return response.text();
  };
})();
"""


def open_map(
    browser,
    server,
    event_id: int = 1,
    *,
    init_script: str | None = None,
    **context_args,
) -> Page:
    """A new context on the seat map, live and drawn; `init_script` runs first."""
    context = browser.new_context(
        **{"viewport": {"width": 1280, "height": 900}, **context_args}
    )
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    seen = _Loading(page)
    page.goto(f"{server.url}/events/{event_id}/")
    status = page.locator("#connection-status")
    try:
        # A first socket on a fresh server, on a machine running the suite
        # in several processes, may take longer than expect()'s 5 s.
        expect(status).to_have_attribute("data-state", "open", timeout=20_000)
    except AssertionError:
        # Seen in CI under full load, never alone: the page stayed on
        # "Connecting…". A visitor would reload; so does the test, once.
        seen.note("-- reloaded --")
        page.reload()
        try:
            expect(status).to_have_attribute("data-state", "open", timeout=20_000)
        except AssertionError as error:
            log = server.server_log()
            raise AssertionError(
                f"{error}\nwhat the page saw:\n"
                + "\n".join(seen.lines[-60:])
                + f"\nthe server's log ends:\n{log[-3000:]}"
            ) from None
    seen.stop()
    expect(page.locator("[data-seat-id]").first).to_be_visible()
    return page


class _Loading:
    """What a page loads, logs and throws, with times, until it goes live:
    said if it never does."""

    def __init__(self, page: Page) -> None:
        self.lines: list[str] = []
        self.started: float | None = time.monotonic()
        note = self.note

        def on_socket(ws) -> None:
            note(f"socket opened {ws.url}")
            ws.on("framereceived", lambda payload: note(f"frame {str(payload)[:80]}"))
            ws.on("socketerror", lambda error: note(f"socket error {error}"))
            ws.on("close", lambda _: note("socket closed"))

        page.on("console", lambda msg: note(f"console {msg.type}: {msg.text}"))
        page.on("pageerror", lambda error: note(f"page error: {error}"))
        page.on("requestfailed", lambda r: note(f"failed {r.url}: {r.failure}"))
        page.on("response", lambda r: note(f"{r.status} {r.url}"))
        page.on("websocket", on_socket)

    def note(self, text: str) -> None:
        if self.started is not None:
            self.lines.append(f"{time.monotonic() - self.started:7.2f}s {text}")

    def stop(self) -> None:
        """Live: nothing more is kept for the rest of the page's life."""
        self.started = None


def box(page: Page, selector: str) -> dict:
    """Where the element is drawn on the page; fails if it is not drawn."""
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not drawn"
    return found


def seat(page: Page, seat_id: int):
    return page.locator(f'.seat[data-seat-id="{seat_id}"]')


def map_version(page: Page) -> int:
    """The event version the seat map has applied (`data-version` on its root)."""
    return int(page.locator("#seatmap-app").get_attribute("data-version"))


def wait_for_push_after(page: Page, version: int, timeout: float = 5_000) -> None:
    """Wait until the map has applied a change newer than `version` from the server.

    Only the server's pushes move the version on: the page's clock can free a
    lapsed seat on screen, but cannot do this.
    """
    try:
        page.wait_for_function(
            "v => Number(document.getElementById('seatmap-app').dataset.version) > v",
            arg=version,
            timeout=timeout,
        )
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"no change after v{version} reached the page within {timeout} ms "
            f"(it is at v{map_version(page)})"
        ) from None


def seat_ids_with_status(page: Page, status: str) -> list[int]:
    return sorted(
        int(i)
        for i in page.locator(f'.seat[data-status="{status}"]').evaluate_all(
            "els => els.map(el => el.getAttribute('data-seat-id'))"
        )
    )


def log_in(context, server, username: str, password: str) -> Page:
    page = context.new_page()
    page.goto(f"{server.url}/admin/login/?next=/dashboard/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    return page


def seat_layout(server, event_id: int = 1) -> dict[int, dict]:
    """Seat id -> seat (row, x, ...) from the public HTTP snapshot."""
    url = f"{server.url}/api/events/{event_id}/seats/"
    with urllib.request.urlopen(url, timeout=10) as response:
        return {s["id"]: s for s in json.load(response)["seats"]}


def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: docs/screenshots with SEATS_SCREENSHOTS=1, else tmp_path.

    Normal runs still take (and check) every screenshot, but leave the work tree
    as it was; `make screenshots` sets the variable to refresh the README's.
    """
    if os.environ.get("SEATS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file, from its header; fails on anything else."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR", f"{path} is no PNG"
    return struct.unpack(">II", head[16:24])


SERIOUS_VIOLATIONS = """
async (exclude) => {
  const context = exclude.length
    ? { include: [['html']], exclude: exclude.map((s) => [s]) }
    : document;
  const r = await axe.run(context, { resultTypes: ['violations'] });
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} -> `
      + v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)).join(', '));
}
"""


def serious_violations(page: Page, exclude: tuple[str, ...] = ()) -> list[str]:
    """Run axe-core in the page (without the parts matching `exclude`); the
    serious and critical violations, one line each."""
    page.add_script_tag(path=str(AXE_JS))
    # Reduced in the page: axe's whole result (every passing node of every
    # rule) is megabytes, which Playwright would carry to Python and parse.
    return page.evaluate(SERIOUS_VIOLATIONS, list(exclude))
