"""Coalesced broadcasts in a real browser: ranges applied, no resync, in step.

The server folds changes that reach it within SEAT_BROADCAST_WINDOW_SECONDS
into one seats.changed per run of versions (from_version..version); the
bundled client applies them as one step and ends at the server's version.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from devtools.processes import live_server
from tests.frontend.pages import FAST, open_map, seat

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(
        tmp_path_factory.mktemp("coalesced"),
        seeds=[("--rows", "2", "--seats-per-row", "8", "--allow-single-seats")],
        SEAT_BROADCAST_WINDOW_SECONDS="1.0",
    ) as server:
        yield server


def test_quick_clicks_arrive_as_one_range_and_the_map_ends_in_step(browser, server):
    page = open_map(browser, server)
    texts: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda payload: texts.append(str(payload))),
    )
    # The socket above is the next one: reload so it is recorded from the start.
    page.reload()
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state", "open", timeout=FAST
    )
    # Another person clicks three seats in quick succession: the changes
    # reach the hub within one window.
    other = open_map(browser, server)
    for n in range(1, 4):
        seat(other, n).click()
    for n in range(1, 4):
        expect(seat(page, n)).to_have_attribute("data-status", "held", timeout=FAST * 3)

    frames = [json.loads(text) for text in texts]
    snapshots = [f for f in frames if f["type"] == "snapshot.live"]
    changes = [f for f in frames if f["type"] == "seats.changed"]
    assert len(snapshots) == 1, "applied without a resync"
    start = snapshots[0]["version"]
    assert changes[-1]["version"] == start + 3
    # Fewer frames than changes: at least one carried a range.
    assert any("from_version" in f for f in changes)
    assert len(changes) < 3
    assert int(page.locator("#seatmap-app").get_attribute("data-version")) == start + 3
