"""One Chromium per test process, shared by every browser test module.

Starting Playwright's driver and a Chromium costs about 0.8 s of CPU (the
driver alone 0.5 s), and the suite has seventy-odd browser modules: started
once per test process instead, they cost that once.

Playwright's sync API marks its event loop as running on the thread that
started it, and each of its calls marks it again. Django refuses its ORM in
a thread with a running loop, and pytest-asyncio cannot start its own; so
the mark is set for a browser module only, while it runs (`mark`, by the
module's `browser` fixture) and taken off at its end (`unmark`): whatever
comes after it, other modules' tests and the session's own clean-up (test
databases, clusters), runs without it. A test of a module without the
browser runs with any mark left over set aside (`set_aside`), and whatever
talks to Playwright outside a browser module (closing the browser at the
end of the session) marks the loop for the call (`marked`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# Debian's Chromium as the headless shell (package chromium-headless-shell),
# the build Playwright's own headless mode runs: the same Blink, V8 and
# network stack without the desktop browser around them, and a third of its
# CPU per page (the desktop build is 0.34 s per new context and page, the
# shell 0.10 s). The seat map is also checked in the desktop build
# (test_desktop_chromium.py); SEATS_CHROMIUM picks another for every test.
CHROMIUM = os.environ.get("SEATS_CHROMIUM", "/usr/bin/chromium-headless-shell")
DESKTOP_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Playwright's loop while the shared driver runs; None before and after.
_loop: asyncio.AbstractEventLoop | None = None
# Module path -> whether any of its tests uses the `browser` fixture.
_browser_modules: dict[str, bool] = {}


class SharedChromium:
    """The process's Playwright driver and Chromium, started on first use.

    A Chromium that went away (crashed, killed) is started again for the
    next module rather than failing every module after it.
    """

    def __init__(self) -> None:
        self._playwright = None
        self._browser = None

    @property
    def browser(self):
        if not Path(CHROMIUM).exists():
            pytest.fail(
                f"{CHROMIUM} is missing: install Debian's chromium-headless-shell "
                "(make test does)"
            )
        driver = self._driver()
        if self._browser is None or not self._browser.is_connected():
            self._browser = driver.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        return self._browser

    def launch(self, executable: str):
        """Another Chromium on the same driver; the caller closes it."""
        if not Path(executable).exists():
            pytest.fail(f"{executable} is missing: install Debian's chromium")
        return self._driver().chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )

    def _driver(self):
        global _loop
        if self._playwright is None:
            from playwright.sync_api import expect, sync_playwright

            # Playwright's 5 s default is short for a page whose server runs
            # under coverage beside three other test workers and the bench
            # smoke run: a first load has been seen to take longer. Waits end
            # as soon as they are met, so only a failing check waits it all.
            expect.set_options(timeout=15_000)
            self._playwright = sync_playwright().start()
            _loop = asyncio._get_running_loop()
        mark()  # for the calls that follow (a launch first)
        return self._playwright

    def stop(self) -> None:
        global _loop
        if self._playwright is None:
            return
        with marked():
            try:
                if self._browser is not None and self._browser.is_connected():
                    self._browser.close()
            finally:
                self._playwright.stop()
                self._playwright = self._browser = None
                _loop = None
        asyncio._set_running_loop(None)


def mark() -> None:
    """Playwright's loop marked as running on this thread, until `unmark`."""
    if _loop is not None:
        asyncio._set_running_loop(_loop)


def unmark() -> None:
    if _loop is not None and asyncio._get_running_loop() is _loop:
        asyncio._set_running_loop(None)


@contextmanager
def marked() -> Iterator[None]:
    """Playwright's loop marked as running on this thread, as its calls need."""
    before = asyncio._get_running_loop()
    if _loop is not None:
        asyncio._set_running_loop(_loop)
    try:
        yield
    finally:
        asyncio._set_running_loop(before if _loop is not None else None)


@contextmanager
def set_aside() -> Iterator[None]:
    """No loop marked as running for the duration, if Playwright's was."""
    if _loop is None or asyncio._get_running_loop() is not _loop:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        if _loop is not None and asyncio._get_running_loop() is None:
            asyncio._set_running_loop(_loop)


def in_browser_module(item: pytest.Item) -> bool:
    """Whether a test of `item`'s module uses the browser (it keeps the mark)."""
    module = str(item.path)
    if module not in _browser_modules:
        _browser_modules[module] = any(
            "browser" in other.fixturenames
            for other in item.session.items
            if str(other.path) == module
        )
    return _browser_modules[module]
