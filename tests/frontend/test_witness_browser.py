"""A failed browser test's report says what its pages and servers saw."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.frontend.pages import CAPTURE_SOCKETS
from tests.frontend.witness import pages_report, servers_report

pytestmark = pytest.mark.browser

# A page whose module cannot load, a script that throws and a console error:
# what a page left on "Connecting…" could have met.
BROKEN = """
() => {
  const script = document.createElement('script');
  script.type = 'module';
  script.src = '/static/frontend/no-such-module.js';
  document.head.append(script);
  fetch('/api/events/999999/seats/');
  fetch('/never-answered');
  console.error('the map could not start');
  setTimeout(() => { throw new Error('boom in a timer'); });
}
"""


def test_the_pages_report_names_failed_loads_errors_and_sockets(
    browser, live_server_proc
):
    context = browser.new_context()
    context.add_init_script(CAPTURE_SOCKETS)
    page = context.new_page()
    page.route("**/never-answered", lambda route: None)  # left pending
    page.goto(f"{live_server_proc.url}/events/1/")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "open")
    # boot.js reloads a page whose module failed, 250-750 ms later: the
    # report must read this document, so its reloads count as used up.
    page.evaluate("sessionStorage.setItem('seats:boot-reloads', '3')")
    with page.expect_response("**/api/events/999999/seats/"):
        page.evaluate(BROKEN)
    page.wait_for_timeout(200)  # the timer's error reaches Playwright

    report = pages_report(browser)

    assert f"page {live_server_proc.url}/events/1/" in report
    assert "'connection': 'open'" in report
    host = live_server_proc.url.removeprefix("http://")
    assert f"'sockets': [['ws://{host}/ws/events/1/?snapshot=live', 1]]" in report
    assert (
        "failed: GET " in report
        and "/static/frontend/no-such-module.js: net::" in report
    )
    assert f"answered 404: {live_server_proc.url}/api/events/999999/seats/" in report
    assert f"unfinished: GET {live_server_proc.url}/never-answered" in report
    assert "console error: the map could not start" in report
    assert "uncaught: boom in a timer" in report
    # Pages that loaded well are not listed request by request.
    assert "answered 200" not in report and "main.js" not in report
    context.close()


def test_the_servers_report_ends_each_servers_log(live_server_proc):
    report = servers_report([live_server_proc])

    lines = live_server_proc.server_log().splitlines()
    assert report.startswith(f"server {live_server_proc.url}\n")
    assert lines and report.endswith(lines[-1])


def test_requests_of_an_earlier_document_are_not_called_unfinished(
    browser, live_server_proc
):
    page = browser.new_page()
    page.goto(f"{live_server_proc.url}/")
    page.goto(f"{live_server_proc.url}/events/1/")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "open")
    # Drawn: the layout document the snapshot names has arrived too.
    expect(page.locator(".seat").first).to_be_visible()

    report = pages_report(browser)

    assert f"page {live_server_proc.url}/events/1/" in report
    assert "unfinished" not in report, report
    page.context.close()
