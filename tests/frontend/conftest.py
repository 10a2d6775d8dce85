"""A real daphne server and a real Chromium for the browser tests.

The server is `manage.py serve` in a subprocess with its own SQLite file and
short hold times; the browser is Debian's Chromium driven by Playwright. In CI
a missing Chromium is an error, never a skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.processes import LiveServer, live_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def live_server_proc(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("live"),
        # Tests hold seats one by one across a shared map: single seats allowed.
        seeds=[("--rows", "6", "--seats-per-row", "12", "--allow-single-seats")],
        SEAT_HOLD_SECONDS="2",
        SEAT_HOLD_MAX_SECONDS="4",
        SEAT_SWEEP_SECONDS="0.2",
    ) as server:
        yield server


# Module scope: Playwright's sync API keeps an event loop running on this
# thread while it is started, which async tests elsewhere must not inherit.
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (make test does)"
        )
    from playwright.sync_api import expect, sync_playwright

    # Playwright's 5 s default is short for a page whose server runs under
    # coverage beside three other test workers and the bench smoke run: a
    # first load has been seen to take longer. Waits end as soon as they
    # are met, so only a failing check waits the whole time.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def _close_the_tests_pages(request) -> Iterator[None]:
    """Every browser context a test opens is closed after it; those of
    module fixtures stay. A page left open keeps its socket, heartbeats and
    countdowns running on a shared machine until the module's browser
    closes: about 12 ms of Chromium's CPU a second each, measured."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before:
            context.close()
