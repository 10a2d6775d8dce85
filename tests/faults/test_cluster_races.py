"""Faults and races on the real cluster (PostgreSQL, Redis, two daphne workers):
a row locked from outside, one session racing itself on two workers, and
run_cluster restarting a killed process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import psycopg
import pytest
import websockets

from devtools.databases import PostgresDatabase
from devtools.processes import ROOT, child_environment, free_port
from devtools.wsclient import origin_of, seat_map_path
from tests.cluster.fixtures import PG_URL, REDIS_URL, open_client
from tests.parallel import redis_prefix
from tests.polling import poll_until

LIMIT = 10  # SEAT_MAX_PER_HOLDER's default


async def test_a_row_locked_elsewhere_stalls_only_the_request_that_needs_it(cluster):
    """Pings and handshakes of the same worker answer while one request waits
    for a row lock; the waiting request ends with `busy`, never hangs."""
    event_id = cluster.new_event()
    seat = cluster.seat_ids(event_id)[0]
    worker = cluster.workers[0]
    waiting = await open_client(worker, event_id)
    other = await open_client(worker, event_id)
    with psycopg.connect(cluster.database.url) as locker:
        locker.execute("SELECT id FROM seats_seat WHERE id = %s FOR UPDATE", [seat])
        hold = asyncio.create_task(
            waiting.request({"type": "hold", "seat_ids": [seat]})
        )
        await asyncio.sleep(0.3)  # the hold is now queued on the row lock
        for _ in range(5):
            assert (await other.request({"type": "ping"}))["type"] == "pong"
        newcomer = await open_client(worker, event_id)
        assert (await newcomer.request({"type": "ping"}))["type"] == "pong"
        # Everything above was answered while the hold still waited.
        assert not hold.done()
        reply = await hold
        locker.rollback()
    assert (reply["type"], reply["code"]) == ("error", "busy")
    assert cluster.sql("SELECT holder FROM seats_seat WHERE id = %s", [seat]) == [("",)]
    for client in (waiting, other, newcomer):
        await client.close()


def session_cookie(worker, event_id: int) -> str:
    """A browser session from the seat-map page, as `Cookie` header text."""
    with urllib.request.urlopen(f"{worker.url}/events/{event_id}/") as response:
        cookies = response.headers.get_all("Set-Cookie")
    session = next(c for c in cookies if c.startswith("sessionid="))
    return session.split(";", 1)[0]


async def hold_with(url: str, cookie: str, seat_ids: list[int]) -> dict:
    async with websockets.connect(
        url, origin=origin_of(url), additional_headers={"Cookie": cookie}
    ) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
        await ws.send(json.dumps({"type": "hold", "seat_ids": seat_ids}))
        while True:
            reply = json.loads(await ws.recv())
            if reply["type"] in ("hold.ok", "error"):
                return reply


async def test_one_session_on_two_workers_never_holds_past_the_limit(cluster):
    for _ in range(5):
        event_id = cluster.new_event()
        seats = cluster.seat_ids(event_id)
        cookie = session_cookie(cluster.workers[0], event_id)
        urls = [w.ws_url(seat_map_path(event_id)) for w in cluster.workers]
        replies = await asyncio.gather(
            hold_with(urls[0], cookie, seats[:LIMIT]),
            hold_with(urls[1], cookie, seats[LIMIT : 2 * LIMIT]),
        )
        outcomes = sorted(r.get("code", r["type"]) for r in replies)
        assert outcomes == ["hold.ok", "too_many_seats"], replies
        held = cluster.sql(
            "SELECT count(*) FROM seats_seat WHERE event_id = %s AND holder <> ''",
            [event_id],
        )
        holds = cluster.sql(
            "SELECT count(*) FROM seats_hold WHERE event_id = %s", [event_id]
        )
        assert (held, holds) == ([(LIMIT,)], [(1,)])


# The start alone may take minutes under the full suite (below).
@pytest.mark.timeout(480)
def test_run_cluster_restarts_a_process_that_dies(tmp_path):
    """A killed worker comes back; only SIGTERM stops the cluster."""
    database = PostgresDatabase(PG_URL, f"seats_runcluster_{os.getpid()}")
    port = free_port()
    env = child_environment(
        os.environ,
        tmp_path,
        {
            "DATABASE_URL": database.url,
            "REDIS_URL": REDIS_URL,
            "REDIS_PREFIX": redis_prefix(),
            "WORKERS": "1",
            "BASE_PORT": str(port),
        },
    )
    log = tmp_path / "cluster.log"
    with open(log, "wb") as out:
        runner = subprocess.Popen(
            [sys.executable, "scripts/run_cluster.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # Up means migrated, seeded and started: on a machine busy with the
        # rest of the suite (under coverage) that has taken over a minute.
        wait_until(lambda: "cluster up" in log.read_text(), runner, log, timeout=240)
        wait_until(lambda: listening(port), runner, log)
        worker = next(
            p for p in psutil.Process(runner.pid).children() if "serve" in p.cmdline()
        )
        worker.kill()
        wait_until(lambda: "restarting in" in log.read_text(), runner, log)
        wait_until(lambda: listening(port), runner, log)
        assert runner.poll() is None
        # One worker answers for the cluster: the sweeper's sweeps are in it.
        wait_until(
            lambda: metric(port, "seats_sweep_duration_seconds_count") > 0, runner, log
        )
        # The sweeper's health, as an alert would read it.
        wait_until(lambda: metric(port, "seats_sweeper_leading") == 1, runner, log)
        last_sweep = metric(port, "seats_last_sweep_timestamp_seconds")
        assert time.time() - 30 < last_sweep <= time.time() + 1
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) == 0
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        database.drop()
    assert "worker:" in log.read_text() and "cluster stopped" in log.read_text()
    assert not worker.is_running()


def metric(port: int, name: str) -> float:
    """One unlabelled value of the cluster's /metrics (0 when absent)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as response:
        text = response.read().decode()
    for line in text.splitlines():
        if line.split(" ")[0] == name:
            return float(line.split()[-1])
    return 0.0


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(condition, process, log, timeout: float = 60) -> None:
    """Until `condition()` holds, while `process` lives; its `log` says why not."""

    def holds() -> bool:
        if condition():
            return True
        assert process.poll() is None, log.read_text()
        return False

    poll_until(holds, timeout=timeout, explain=log.read_text)
