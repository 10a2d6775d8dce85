"""A database that stops answering (no error, no reset: silence)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from urllib.parse import urlparse

import pytest

from devtools.processes import Project
from devtools.tcpproxy import FreezableProxy
from devtools.wsclient import SeatMapClient, seat_map_path

DB_CALL_TIMEOUT = 2


@pytest.fixture
def proxy(database):
    address = urlparse(database.url)
    proxy = FreezableProxy((address.hostname, address.port or 5432))
    yield proxy
    proxy.close()


def through(project: Project, proxy: FreezableProxy, database) -> Project:
    """The same project, reaching its database through `proxy`."""
    url = urlparse(database.url)._replace(netloc=f"postgres@127.0.0.1:{proxy.port}")
    hung = Project(project.var_dir)
    hung.env = {
        **project.env,
        "DATABASE_URL": url.geturl(),
        "SEAT_DB_CALL_TIMEOUT_SECONDS": str(DB_CALL_TIMEOUT),
    }
    return hung


def ready(worker) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{worker.url}/readyz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def test_a_silent_database_gets_timeouts_not_a_frozen_worker(
    project, database, proxy
):
    event_id = project.new_event("Silent Night", 2, 5)
    hung = through(project, proxy, database)
    worker = hung.serve("--no-sweeper")
    try:
        client = await SeatMapClient.open(worker.ws_url(seat_map_path(event_id)))
        seats = [s["id"] for s in client.snapshot["seats"]]

        proxy.freeze()
        started = time.monotonic()
        replies = await asyncio.gather(
            client.request({"type": "hold", "seat_ids": seats[:1]}),
            client.request({"type": "ping"}),
        )
        waited = time.monotonic() - started
        # Every request is answered (the outcome of the hold is unknown).
        assert [r.get("code") for r in replies] == ["timeout", "timeout"], replies
        assert waited < DB_CALL_TIMEOUT * 4, waited
        status, document = await asyncio.to_thread(ready, worker)
        assert (status, document["status"]) == (503, "not_ready"), document
        assert document["checks"]["database"].startswith("error")

        proxy.thaw()
        # Back to normal: a retried request goes through.
        for _ in range(10):
            reply = await client.request({"type": "hold", "seat_ids": seats[1:2]})
            if reply["type"] == "hold.ok":
                break
            await asyncio.sleep(0.5)
        assert reply["type"] == "hold.ok", reply
        status, document = await asyncio.to_thread(ready, worker)
        assert status == 200, document
        assert worker.process.poll() is None
        await client.close()
    finally:
        hung.stop_all()
