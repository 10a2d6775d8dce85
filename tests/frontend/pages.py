"""What the browser tests do with pages: open them, find seats, check them with axe."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import axe_playwright_python
from playwright.sync_api import Page, expect

FAST = 1_500  # ms: "within a blink", with room for a loaded machine
# axe-core as shipped inside the pinned PyPI package: served from disk, no CDN.
AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def open_map(browser, server, event_id: int = 1, **context_args) -> Page:
    context = browser.new_context(
        **{"viewport": {"width": 1280, "height": 900}, **context_args}
    )
    page = context.new_page()
    page.goto(f"{server.url}/events/{event_id}/")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "open")
    expect(page.locator("[data-seat-id]").first).to_be_visible()
    return page


def seat(page: Page, seat_id: int):
    return page.locator(f'.seat[data-seat-id="{seat_id}"]')


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


def serious_violations(page: Page) -> list[str]:
    """Run axe-core in the page; the serious and critical violations, one line each."""
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
