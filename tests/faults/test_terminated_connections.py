"""Every PostgreSQL backend terminated at once (a restart, a failover, an
operator's `pg_terminate_backend`): the pooled connections that died are
replaced before use, so no request and no handshake fails afterwards."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import psycopg

from devtools.wsclient import SeatMapClient, seat_map_path
from tests.faults.conftest import PG_URL

REQUESTS_OF_EACH_KIND = 20


def terminate_every_backend(database_name: str) -> int:
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [database_name],
        ).fetchall()
    return sum(1 for (done,) in rows if done)


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


async def fill_the_pool(worker, event_id: int, width: int) -> None:
    """Several requests at once, so the pool holds several connections."""
    urls = [f"{worker.url}/api/events/", f"{worker.url}/events/{event_id}/"] * width
    answers = await asyncio.gather(*(asyncio.to_thread(get, url) for url in urls))
    assert {status for status, _, _ in answers} == {200}


async def test_after_every_backend_is_terminated_nothing_fails(project, database):
    event_id = project.new_event("Blip", 3, 6)
    worker = project.serve("--no-sweeper")
    await fill_the_pool(worker, event_id, width=4)
    watcher = await SeatMapClient.open(worker.ws_url(seat_map_path(event_id)))

    terminated = terminate_every_backend(database.name)
    assert terminated >= 2, "the pool should have held connections to terminate"

    kinds = {
        "api": f"{worker.url}/api/events/",
        "page": f"{worker.url}/events/{event_id}/",
        "ready": f"{worker.url}/readyz",
    }
    for kind, url in kinds.items():
        for attempt in range(REQUESTS_OF_EACH_KIND):
            status, content_type, body = await asyncio.to_thread(get, url)
            assert status == 200, (kind, attempt, status, content_type, body[:300])
    for attempt in range(REQUESTS_OF_EACH_KIND):
        client = await SeatMapClient.open(worker.ws_url(seat_map_path(event_id)))
        assert client.snapshot["type"] == "snapshot", (attempt, client.snapshot)
        await client.close()

    # The socket that was open through the blip still works, and hears others.
    seat = watcher.snapshot["seats"][0]["id"]
    clicker = await SeatMapClient.open(worker.ws_url(seat_map_path(event_id)))
    reply = await clicker.request({"type": "hold", "seat_ids": [seat]})
    assert reply["type"] == "hold.ok", reply
    change = await watcher.wait_for(lambda c: c["reason"] == "held")
    assert seat in [s["id"] for s in change["seats"]], change
    await asyncio.gather(watcher.close(), clicker.close())
    assert "Internal Server Error" not in project.log("serve"), project.log("serve")
    ready = json.loads(get(kinds["ready"])[2])
    assert ready["status"] == "ready", ready
