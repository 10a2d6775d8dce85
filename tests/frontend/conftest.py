"""A real daphne server and a real Chromium for the browser tests.

The server is `manage.py serve` in a subprocess with its own SQLite file and
short hold times; the browser is Debian's Chromium driven by Playwright, one
per test process (tests/frontend/browsers.py). In CI a missing Chromium is an
error, never a skip.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.processes import LiveServer, live_server
from tests.frontend.browsers import SharedChromium, mark, unmark
from tests.frontend.witness import pages_report, servers_report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed browser test's report says what its pages and servers saw
    (tests/frontend/witness.py), read before its pages are closed."""
    report = yield
    funcargs = getattr(item, "funcargs", {})
    if report.failed and call.when == "call" and "browser" in funcargs:
        try:
            report.sections.append(("pages", pages_report(funcargs["browser"])))
        except Exception as error:  # the report must not hide the failure
            report.sections.append(("pages", f"could not be read: {error!r}"))
        servers = [
            value for value in funcargs.values() if isinstance(value, LiveServer)
        ]
        if servers:
            report.sections.append(("servers", servers_report(servers)))
    return report


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


@pytest.fixture(scope="session")
def _chromium() -> Iterator[SharedChromium]:
    shared = SharedChromium()
    try:
        yield shared
    finally:
        shared.stop()


@pytest.fixture(scope="module")
def browser(_chromium: SharedChromium):
    """The process's Chromium; the contexts the module opened close with it.

    Playwright's loop is marked as running for the module only
    (tests/frontend/browsers.py)."""
    browser = _chromium.browser  # marks the loop
    before = set(browser.contexts)
    yield browser
    mark()
    try:
        if browser.is_connected():
            for context in browser.contexts:
                if context not in before:
                    context.close()
    finally:
        unmark()


@pytest.fixture(autouse=True)
def _close_the_tests_pages(request) -> Iterator[None]:
    """Every browser context a test opens is closed after it; those of
    module fixtures stay until the module ends. A page left open keeps its
    socket, heartbeats and countdowns running on a shared machine: about
    12 ms of Chromium's CPU a second each, measured."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before:
            context.close()


@pytest.fixture(scope="module")
def selling_hall(tmp_path_factory) -> Iterator[LiveServer]:
    """The demo hall (zones, three coloured categories), selling on the map
    itself: a server per module that asks for it."""
    with live_server(
        tmp_path_factory.mktemp("selling"),
        seeds=[("--allow-single-seats",)],
        SEAT_HOLD_SECONDS="120",
        SEAT_HOLD_MAX_SECONDS="240",
    ) as server:
        yield server
