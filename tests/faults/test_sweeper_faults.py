"""Sweepers under faults: killed between commit and announcement; cut off
from the database."""

from __future__ import annotations

import asyncio
import signal
import time

import psycopg

from devtools.processes import Project, free_port
from devtools.wsclient import SeatMapClient, seat_map_path
from tests.faults.watching import Watcher


def sql(database, query: str, params=()) -> list[tuple]:
    with psycopg.connect(database.url, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def hold_long_ago(project: Project, event_id: int, seat_ids: list[int]) -> None:
    """A hold that expired an hour ago and was never swept."""
    project.manage(
        "shell",
        "-c",
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from seats import services\n"
        f"services.hold_seats(event_id={event_id}, holder='h_long_gone', "
        f"seat_ids={seat_ids!r}, now=timezone.now() - timedelta(hours=1))\n",
    )


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def seat_is_free(database, seat: int) -> bool:
    return sql(database, "SELECT holder FROM seats_seat WHERE id = %s", [seat]) == [
        ("",)
    ]


async def test_a_sweep_committed_but_never_announced_reaches_clients(project, database):
    """The sweeper commits the release, then dies before any publish gets
    through (its Redis is unreachable, and it is killed while retrying).
    Nothing announces the change, yet every client learns its version from
    the heartbeat within seconds, and a resync shows the seat free."""
    event_id = project.new_event("Killed Sweeper", 2, 5)
    worker = project.serve("--no-sweeper")
    watcher = Watcher()
    client = await SeatMapClient.open(worker.ws_url(seat_map_path(event_id)), watcher)
    seat = client.snapshot["seats"][0]["id"]
    hold_long_ago(project, event_id, [seat])
    held_version = sql(
        database, "SELECT version FROM seats_event WHERE id = %s", [event_id]
    )[0][0]
    await watcher.until(held_version, ("seats.changed", "heartbeat"), timeout=10)

    cut_off = Project(project.var_dir)
    cut_off.env = {**project.env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    sweeper = cut_off.spawn("sweeper-cut-off", "run_sweeper")
    try:
        wait_until(lambda: seat_is_free(database, seat), 30, "never swept")
        sweeper.send_signal(signal.SIGKILL)  # mid-retry: never announced
        sweeper.wait(timeout=10)
    finally:
        cut_off.stop_all()
    (swept_version,) = sql(
        database, "SELECT version FROM seats_event WHERE id = %s", [event_id]
    )[0]
    assert swept_version > held_version

    await watcher.until(swept_version, ("heartbeat",), timeout=10)
    assert not any(
        f.get("type") == "seats.changed" and f.get("reason") == "expired"
        for f in watcher.frames
    ), "the announcement was lost: only the heartbeat may carry it"
    fresh = await SeatMapClient.open(worker.ws_url(seat_map_path(event_id)))
    assert fresh.snapshot["version"] == swept_version
    assert fresh.seat_states()[seat] == "available"
    await client.close()
    await fresh.close()


async def test_terminated_database_connections_stop_nobody(project, database):
    """pg_terminate_backend on every connection of the project: the worker
    answers again, the sweepers stand by and one of them leads again (it
    sweeps), and no process exits."""
    event_id = project.new_event("Terminated", 2, 5)
    worker = project.serve("--no-sweeper")
    sweepers = [project.spawn(f"sweeper-{n}", "run_sweeper") for n in (1, 2)]
    wait_until(
        lambda: sum("Sweeper running" in project.log(f"sweeper-{n}") for n in (1, 2))
        == 1
        and any("standing by" in project.log(f"sweeper-{n}") for n in (1, 2)),
        30,
        "no leader and standby",
    )
    watcher = Watcher()
    client = await SeatMapClient.open(worker.ws_url(seat_map_path(event_id)), watcher)
    seats = [s["id"] for s in client.snapshot["seats"]]
    assert (await client.request({"type": "hold", "seat_ids": seats[:1]}))[
        "type"
    ] == "hold.ok"

    (terminated,) = sql(
        database,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        [database.name],
    )[0]
    assert terminated >= 3  # the worker's and both sweepers'

    # The worker: at most a few failed replies, then answers as before.
    replies = []
    for _ in range(20):
        reply = await client.request({"type": "hold", "seat_ids": seats[1:2]})
        replies.append(reply.get("code", reply["type"]))
        if reply["type"] == "hold.ok":
            break
    assert replies[-1] == "hold.ok", replies
    assert set(replies[:-1]) <= {"server_error", "busy"}, replies

    # One sweeper leads again (the lock went with its connection) and sweeps:
    # an expired hold is released and announced.
    wait_until(lambda: leaders(database) == 1, 40, "no sweeper leads again")
    hold_long_ago(project, event_id, seats[5:7])
    await watcher_sees_expiry(watcher, seats[5:7])
    assert all(p.poll() is None for p in [worker.process, *sweepers])
    assert leaders(database) == 1
    await client.close()


def leaders(database) -> int:
    """Sweepers holding the leader's advisory lock on `database`."""
    return sql(
        database,
        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s",
        [database.name],
    )[0][0]


async def watcher_sees_expiry(watcher: Watcher, seats: list[int]) -> None:
    deadline = time.monotonic() + 40
    while not any(
        f.get("type") == "seats.changed"
        and f.get("reason") == "expired"
        and {s["id"] for s in f["seats"]} >= set(seats)
        for f in watcher.frames
    ):
        assert time.monotonic() < deadline, [
            (f.get("type"), f.get("reason")) for f in watcher.frames
        ]
        await asyncio.sleep(0.1)
