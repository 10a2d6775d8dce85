"""The waiting room across restarts: a killed server or admitter loses nobody's
place, and two `run_sweeper` processes admit at the rate of one."""

from __future__ import annotations

import signal
import time
import urllib.request

import pytest
import websockets

from devtools.processes import live_server
from tests.cluster.fixtures import wait_for_log
from tests.contracts.asyncapi import server_frame
from tests.polling import poll_until

EARLY_RANKS = 2**40


def session_cookie(url: str) -> str:
    """A browser session, as the event page makes one."""
    with urllib.request.urlopen(url, timeout=10) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("sessionid="):
                return header.split(";", 1)[0]
    raise AssertionError("the page set no session cookie")


async def place_of(server, cookie: str) -> dict:
    port = server.worker.port
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/events/1/queue/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": cookie},
    ) as ws:
        status = server_frame(await ws.recv())
        assert status["type"] == "queue.status"
        return status


async def test_a_killed_server_comes_back_with_every_place_as_it_was(tmp_path):
    with live_server(
        tmp_path, seeds=[("--rows", "2", "--seats-per-row", "5")]
    ) as server:
        server.manage("waiting_room", "1", "--on", "--opens-in", "3600")
        cookies = [session_cookie(f"{server.url}/events/1/") for _ in range(4)]
        for cookie in cookies:  # each takes a place (random: before the opening)
            await place_of(server, cookie)
        before = [await place_of(server, c) for c in cookies]
        assert sorted(p["position"] for p in before) == [1, 2, 3, 4]

        server.stop(sig=signal.SIGKILL)
        server.start()
        after = [await place_of(server, c) for c in cookies]
        assert [p["position"] for p in after] == [p["position"] for p in before]
        assert {p["waiting"] for p in after} == {4}  # nobody lost or doubled


def admitted(cluster, room_id: int) -> list[int]:
    rows = cluster.sql(
        "SELECT rank FROM seats_place WHERE room_id = %s AND state = 'admitted'",
        [room_id],
    )
    return sorted(r[0] for r in rows)


def _admitted_after(cluster, room_id: int, count: int, timeout: float = 30) -> int:
    """How many are admitted once more than `count` are (waiting up to
    `timeout` seconds)."""

    def more() -> int:
        now = len(admitted(cluster, room_id))
        return now if now > count else 0

    return poll_until(
        more,
        timeout=timeout,
        every=0.05,
        explain=lambda: f"nobody admitted within {timeout} s",
    )


# Two process starts, each allowed a minute on a loaded machine (wait_for_log).
@pytest.mark.timeout(300)
def test_two_admitters_admit_at_the_rate_of_one_and_a_killed_one_is_replaced(
    cluster,
):
    event_id = cluster.new_event()
    cluster.manage(
        "waiting_room",
        *(str(event_id), "--on", "--opens-in", "0", "--rate", "120"),
        *("--max-admitted", "1000"),
    )
    (room_id,) = cluster.sql(
        "SELECT id FROM seats_waitingroom WHERE event_id = %s", [event_id]
    )[0]
    cluster.sql(
        "INSERT INTO seats_place (room_id, holder, rank, state, joined_at) "
        "SELECT %s, 'h_' || n, %s + n, 'waiting', now() "
        "FROM generate_series(1, 300) AS n RETURNING id",
        [room_id, EARLY_RANKS],
    )
    first = cluster.spawn("admitter-1", "run_sweeper")
    second = None
    try:
        wait_for_log(cluster, "admitter-1", "Sweeper running")
        second = cluster.spawn("admitter-2", "run_sweeper")
        wait_for_log(cluster, "admitter-2", "standing by")
        # The rate is measured from an admission on: the leader's first
        # passes (its connections, its first jobs) can take seconds on a
        # loaded machine, which says nothing about how many admit.
        start = _admitted_after(cluster, room_id, len(admitted(cluster, room_id)))
        began = time.monotonic()
        time.sleep(8)
        rate = (len(admitted(cluster, room_id)) - start) / (time.monotonic() - began)
        # 2 a second: one admitter at work (two would make it 4).
        assert 1.4 < rate < 2.6, (rate, cluster.log("admitter-1")[-3000:])

        cluster.stop(first, signal.SIGKILL)
        wait_for_log(cluster, "admitter-2", "Sweeper running", timeout=30)
        taken_over = len(admitted(cluster, room_id))
        time.sleep(4)
        assert len(admitted(cluster, room_id)) > taken_over  # it carries on
    finally:
        cluster.stop(first)
        if second is not None:
            cluster.stop(second)
    ranks = admitted(cluster, room_id)
    # In order, each place once: exactly the front of the line was let in.
    assert ranks == [EARLY_RANKS + n for n in range(1, len(ranks) + 1)]
    (places,) = cluster.sql(
        "SELECT count(*), count(DISTINCT holder) FROM seats_place WHERE room_id = %s",
        [room_id],
    )
    assert places == (300, 300)
