"""A page whose modules could not all be fetched loads itself again (boot.js)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# A module the seat map imports two levels down: the page runs none of its
# code when this one is lost, both as it is preloaded and as it is imported
# (a lost preload alone is fetched again by the import).
DEEP_MODULE = "**/static/frontend/seatmap/zoom.js"


def _lose(page, pattern: str, times: int | None) -> list[str]:
    """Abort the first `times` fetches of `pattern` (every one with None);
    returns the list of documents the page loads, growing."""
    lost = {"count": 0}

    def handle(route):
        if times is None or lost["count"] < times:
            lost["count"] += 1
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(pattern, handle)
    documents: list[str] = []
    page.on(
        "request",
        lambda request: documents.append(request.url)
        if request.resource_type == "document"
        else None,
    )
    return documents


@pytest.mark.parametrize(
    ("lost", "loads"),
    [
        (1, 1),  # the preload: the import fetches it again, no reload
        (2, 2),  # the preload and the import: one reload
    ],
)
def test_a_lost_module_costs_at_most_one_reload_and_the_map_goes_live(
    browser, live_server_proc, lost, loads
):
    page = browser.new_page()
    documents = _lose(page, DEEP_MODULE, times=lost)
    page.goto(f"{live_server_proc.url}/events/1/")

    expect(page.locator("#connection-status")).to_have_attribute("data-state", "open")
    expect(page.locator(".seat").first).to_be_visible()
    page.wait_for_timeout(1_000)  # longer than a first reload's pause
    assert documents == [f"{live_server_proc.url}/events/1/"] * loads
    expect(page.locator("#boot-failed")).to_be_hidden()
    # A load that went well forgets the reloads: the next failure starts afresh.
    assert page.evaluate("sessionStorage.getItem('seats:boot-reloads')") is None


def test_a_module_that_never_comes_stops_after_three_reloads_and_says_so(
    browser, live_server_proc
):
    page = browser.new_page()
    documents = _lose(page, DEEP_MODULE, times=None)
    page.goto(f"{live_server_proc.url}/events/1/")

    notice = page.locator("#boot-failed")
    expect(notice).to_be_visible(timeout=20_000)  # three pauses, 0.25 s to 4.5 s
    expect(notice).to_contain_text("This page could not load completely.")
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state", "connecting"
    )
    assert len(documents) == 4  # the first load and three reloads
    page.wait_for_timeout(1_500)  # no fourth reload comes after the notice
    assert len(documents) == 4

    # Its link reloads by hand; with the module back, the page goes live.
    page.unroute(DEEP_MODULE)
    notice.get_by_role("link", name="Reload").click()
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "open")
    assert len(documents) == 5


def test_a_module_that_loads_and_throws_is_not_reloaded(browser, live_server_proc):
    page = browser.new_page()
    documents = _lose(page, "**/never-fetched", times=None)  # counts documents
    page.route(
        DEEP_MODULE,
        lambda route: route.fulfill(
            content_type="text/javascript",
            body="export function createZoom() {}\nthrow new Error('a bug');",
        ),
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server_proc.url}/events/1/")

    page.wait_for_timeout(2_000)
    assert errors and "a bug" in errors[0]
    assert len(documents) == 1
    expect(page.locator("#boot-failed")).to_be_hidden()


def test_the_answer_to_a_form_is_not_reloaded_the_notice_comes_at_once(
    browser, live_server_proc
):
    """As the page is marked when it answers a POST (module_script)."""
    page = browser.new_page()
    documents = _lose(page, DEEP_MODULE, times=None)
    url = f"{live_server_proc.url}/events/1/"

    def as_a_form_answer(route):
        response = route.fetch()
        html = response.text().replace(
            'role="alert" hidden', 'role="alert" data-reload="off" hidden'
        )
        assert 'data-reload="off"' in html
        route.fulfill(response=response, body=html)

    page.route(url, as_a_form_answer)
    page.goto(url)

    expect(page.locator("#boot-failed")).to_be_visible()
    page.wait_for_timeout(1_500)  # longer than a first reload's pause
    assert len(documents) == 1
