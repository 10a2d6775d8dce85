"""A worker killed with its sockets open: their holds do not wait for their
expiry. The worker stops beating, and the sweeper (a process of its own)
frees the holds of its connections and announces it on the other worker."""

from __future__ import annotations

import asyncio
import signal
import time

from devtools.wsclient import SeatMapClient, seat_map_path
from tests.faults.watching import Watcher

DEAD_AFTER = 2.0


async def test_a_killed_workers_connection_holds_are_freed_long_before_expiry(
    tmp_path, database, own_redis
):
    from devtools.processes import Project

    project = Project(
        tmp_path,
        DATABASE_URL=database.url,
        REDIS_URL=own_redis.url,
        DATABASE_POOL_SIZE="4",
        SEAT_HOLD_SECONDS="600",
        SEAT_SWEEP_SECONDS="0.5",
        SEAT_PROCESS_BEAT_SECONDS="0.5",
        SEAT_PROCESS_DEAD_SECONDS=str(DEAD_AFTER),
    )
    project.migrate()
    try:
        event_id = project.new_event("Killed", 1, 6)
        doomed = project.serve("--no-sweeper")
        survivor = project.serve("--no-sweeper")
        project.spawn("sweeper", "run_sweeper")
        path = seat_map_path(event_id)
        watching = Watcher()
        watcher = await SeatMapClient.open(survivor.ws_url(path), watching)
        # No session: the socket holds as its connection, on the doomed worker.
        clicker = await SeatMapClient.open(doomed.ws_url(path))
        seat = clicker.snapshot["seats"][0]["id"]
        reply = await clicker.request({"type": "hold", "seat_ids": [seat]})
        assert reply["type"] == "hold.ok", reply
        await watching.until(1, ("seats.changed",), timeout=10)

        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait()
        killed_at = time.monotonic()
        await watching.until(2, ("seats.changed",), timeout=20)
        freed_after = time.monotonic() - killed_at
        # Heartbeats carry the version too; and a change may come twice
        # (docs/protocol.md: applying it again is harmless), so the first.
        change = next(
            f
            for f in watching.frames
            if f.get("type") == "seats.changed" and f.get("version") == 2
        )
        assert change["reason"] == "released", change
        assert [s["id"] for s in change["seats"]] == [seat]
        assert change["seats"][0]["status"] == "available"
        # Freed within the silence allowed and a few sweeps, not 600 s.
        assert freed_after < DEAD_AFTER + 10, freed_after
        await watcher.close()
        # The dead worker's client socket is gone with it.
        await asyncio.wait_for(clicker.close(), 5)
    finally:
        project.stop_all()
    assert "freed 1 seat(s) of its connections" in project.log("sweeper")
