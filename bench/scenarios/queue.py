"""Waiting room: 10,000 queued places, admitted at a set rate, watched live.

One `manage.py serve` (the embedded default, admitter inside) on a copy of
the seeded SQLite database. `queue_job` makes the demo event's room, paused,
with the places (random early ranks) and browser sessions for the first
`queue_sockets` of them; those sockets connect to the waiting page's socket
(`/ws/events/<id>/queue/`) and count the `queue.status` frames they get.
Measured:

* server CPU while everyone waits (paused: nothing moves), per second;
* the admission rate once resumed, from the database's `admitted_at`
  times: admissions after the first tick over the time from the first tick
  to the last, against the setting (target: within 5 %);
* order: the places admitted are exactly the lowest ranks;
* server CPU per second while admitting (each tick pushes every waiting
  page its new position) and the status frames per socket per tick.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from datetime import datetime

import websockets

from bench.context import cpu_seconds

NAME = "queue"
TITLE = "waiting room: queued places admitted at a set rate"
CONNECT_CONCURRENCY = 50


async def run(ctx) -> dict:
    options = ctx.options
    stack, events = ctx.sqlite_stack("queue")
    event_id = events["demo"]
    made = json.loads(
        stack.python(
            "-m",
            "bench.scenarios.queue_job",
            *("--event", str(event_id), "--places", str(options.queue_places)),
            *("--sessions", str(options.queue_sockets)),
            *("--rate", str(options.queue_rate)),
        ).splitlines()[-1]
    )
    database = stack.var_dir / "db.sqlite3"
    frames = [0]
    sockets: list = []
    try:
        server = stack.serve()
        url = server.ws_url(f"/ws/events/{event_id}/queue/")
        origin = f"http://127.0.0.1:{server.port}"
        sockets = await _connect_all(url, origin, made["cookies"], frames)
        ctx.progress(
            f"queue: {options.queue_places} places, {len(sockets)} waiting pages "
            f"open; paused for {options.queue_seconds:g}s"
        )
        cpu = cpu_seconds(server.pid)
        await asyncio.sleep(options.queue_seconds)
        waiting_cpu = (cpu_seconds(server.pid) - cpu) / options.queue_seconds

        frames_before = frames[0]
        stack.manage("waiting_room", str(event_id), "--resume")
        resumed = time.monotonic()
        cpu = cpu_seconds(server.pid)
        await asyncio.sleep(options.queue_seconds)
        admitting_seconds = time.monotonic() - resumed
        admitting_cpu = (cpu_seconds(server.pid) - cpu) / admitting_seconds
        stack.manage("waiting_room", str(event_id), "--pause")
        status_frames = frames[0] - frames_before
    finally:
        for ws in sockets:
            await ws.close()
        stack.stop_all()

    times, ranks, lowest = _admissions(database, made["room"])
    ticks = sorted(set(times))
    rate = None
    if len(ticks) >= 2:
        first_batch = times.count(ticks[0])
        span = ticks[-1] - ticks[0]
        rate = (len(times) - first_batch) / span * 60
    measured = {
        "places": options.queue_places,
        "sockets": len(sockets),
        "rate_setting_per_minute": options.queue_rate,
        "rate_measured_per_minute": None if rate is None else round(rate, 1),
        "rate_error": None
        if rate is None
        else round(abs(rate - options.queue_rate) / options.queue_rate, 4),
        "admitted": len(times),
        "ticks": len(ticks),
        "order_preserved": sorted(ranks) == lowest,
        "server_cpu_waiting_per_s": round(waiting_cpu, 4),
        "server_cpu_admitting_per_s": round(admitting_cpu, 4),
        "status_frames_per_socket_per_tick": round(
            status_frames / max(1, len(sockets)) / max(1, len(ticks)), 2
        ),
    }
    ctx.progress(
        f"queue: {measured['admitted']} admitted in {len(ticks)} ticks at "
        f"{measured['rate_measured_per_minute']}/min (setting {options.queue_rate}), "
        f"order kept: {measured['order_preserved']}, server CPU "
        f"{waiting_cpu:.3f} s/s waiting, {admitting_cpu:.3f} s/s admitting"
    )
    return measured


async def _connect_all(url: str, origin: str, cookies: list[str], frames: list[int]):
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    sockets = []

    async def one(cookie: str) -> None:
        async with gate:
            ws = await websockets.connect(
                url, origin=origin, additional_headers={"Cookie": cookie}
            )
            first = json.loads(await ws.recv())
            if first.get("type") != "queue.status":
                raise RuntimeError(f"a waiting page got {first}")
            sockets.append(ws)
            asyncio.get_running_loop().create_task(_count(ws, frames))

    await asyncio.gather(*(one(c) for c in cookies))
    return sockets


async def _count(ws, frames: list[int]) -> None:
    try:
        async for _ in ws:
            frames[0] += 1
    except websockets.ConnectionClosed:
        pass


def _admissions(database, room_id: int) -> tuple[list[float], list[int], list[int]]:
    """Admission times (epoch s), the admitted ranks, and the lowest ranks."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT admitted_at, rank FROM seats_place "
            "WHERE room_id = ? AND admitted_at IS NOT NULL",
            (room_id,),
        ).fetchall()
        lowest = [
            r[0]
            for r in conn.execute(
                "SELECT rank FROM seats_place WHERE room_id = ? ORDER BY rank LIMIT ?",
                (room_id, len(rows)),
            )
        ]
    times = [datetime.fromisoformat(at).timestamp() for at, _ in rows]
    return times, [rank for _, rank in rows], lowest
