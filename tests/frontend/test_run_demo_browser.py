"""`make run` alone: the demo event's "Continue to checkout" reaches a running shop.

scripts/run_demo.py (what `make run` serves with) starts the server and the
demo shop; a buyer picks two seats, continues to checkout, pays, and a
second map sees the seats booked. Stopping the launcher stops both.
"""

from __future__ import annotations

import re
import signal
import socket
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from devtools.processes import Project, free_port, wait_for_port
from tests.frontend.pages import open_map, seat

pytestmark = pytest.mark.browser

DEMO_WEBHOOKS = {
    "SEAT_WEBHOOK_ALLOW_HTTP": "1",
    "SEAT_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
}


class Demo:
    def __init__(self, project: Project, port: int, shop_port: int, process) -> None:
        self.project, self.port, self.shop_port = project, port, shop_port
        self.process = process
        self.url = f"http://127.0.0.1:{port}"

    def output(self) -> str:
        return self.project.log("run_demo")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    project = Project(tmp_path_factory.mktemp("run-demo"), **DEMO_WEBHOOKS)
    port, shop_port = free_port(), free_port()
    try:
        project.migrate()
        project.manage(
            "seed_demo", "--checkout-url", f"http://127.0.0.1:{shop_port}/checkout"
        )
        project.manage("ensure_admin")
        process = project.spawn_python(
            "run_demo",
            "scripts/run_demo.py",
            *("--port", str(port), "--shop-port", str(shop_port)),
        )
        wait_for_port(shop_port, process)
        wait_for_port(port, process)
        yield Demo(project, port, shop_port, process)
    finally:
        project.stop_all()


def test_a_newcomer_pays_in_the_demo_shop_with_nothing_else_started(browser, demo):
    buyer = open_map(browser, demo)
    watcher = open_map(browser, demo)
    # The first two seats of the front row, one after the other: no seat
    # is left on its own between them.
    for seat_id in (1, 2):
        seat(buyer, seat_id).click()
        expect(seat(buyer, seat_id)).to_have_attribute("data-status", "held-by-me")
    buyer.get_by_role("button", name="Continue to checkout").click()
    expect(buyer).to_have_url(
        re.compile(rf"^http://127\.0\.0\.1:{demo.shop_port}/checkout\?"),
        timeout=10_000,
    )
    buyer.locator("#pay").click()
    reference = buyer.locator("#reference")
    expect(reference).to_have_text(re.compile(r"\S+"), timeout=10_000)
    for seat_id in (1, 2):
        expect(seat(watcher, seat_id)).to_have_attribute(
            "data-status", "booked", timeout=10_000
        )
    # The shop got the booking's webhook, signed and verified.
    deadline = time.monotonic() + 15
    while "webhook booking.created" not in demo.output():
        assert time.monotonic() < deadline, demo.output()[-3000:]
        time.sleep(0.2)
    line = next(
        line for line in demo.output().splitlines() if "booking.created" in line
    )
    assert line.startswith("shop | ") and "verified=yes" in line, line


def test_the_shop_key_is_kept_across_restarts_and_stopping_stops_both(demo):
    key_file = demo.project.var_dir / "demo-shop.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    first_key = key_file.read_text()
    demo.project.stop(demo.process, signal.SIGTERM)
    assert demo.process.returncode == 0
    for port in (demo.port, demo.shop_port):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    again = demo.project.spawn_python(
        "run_demo",
        "scripts/run_demo.py",
        *("--port", str(demo.port), "--shop-port", str(demo.shop_port)),
    )
    wait_for_port(demo.shop_port, again)
    assert key_file.read_text() == first_key
    demo.project.stop(again, signal.SIGTERM)
    assert again.returncode == 0

    # A key that no longer works, in a file others may read: a new key is
    # made and the file is written for this user alone.
    key_file.write_text("sk_00000000_revoked\n")
    key_file.chmod(0o644)
    third = demo.project.spawn_python(
        "run_demo",
        "scripts/run_demo.py",
        *("--port", str(demo.port), "--shop-port", str(demo.shop_port)),
    )
    wait_for_port(demo.shop_port, third)
    assert key_file.read_text() not in (first_key, "sk_00000000_revoked\n")
    assert key_file.stat().st_mode & 0o777 == 0o600
    demo.project.stop(third, signal.SIGTERM)
