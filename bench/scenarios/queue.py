"""Waiting room: 10,000 queued places, admitted at a set rate, watched live.

One `manage.py serve` (the embedded default, admitter inside) on a copy of
the seeded SQLite database. `queue_job` makes the demo event's room, paused,
with the places (random early ranks) and browser sessions for the first
`queue_sockets` of them; those sockets connect to the waiting page's socket
(`/ws/events/<id>/queue/`) and count the `queue.status` frames they get.
Measured:

Twice: with every page getting its own `queue.status` per move (the
protocol's default), then with the shared `queue.line` (`?line=shared`,
the bundled page's). For each:

* server CPU while everyone waits (paused: nothing moves), per second;
* server CPU per second while admitting (each tick moves the line for every
  waiting page) and the frames per socket per tick.

And over the run:

* the admission rate of the last window, from the database's `admitted_at`
  times: admissions after the first tick over the time from the first tick
  to the last, against the setting (target: within 5 %);
* order: the places admitted are exactly the lowest ranks.
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
# Server CPU per second while admitting, with every waiting page connected.
TARGET_CPU_PER_S = 0.1


MODES = {"status": "", "shared": "?line=shared"}


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
    modes: dict[str, dict] = {}
    last_window = 0.0
    try:
        server = stack.serve()
        for mode, query in MODES.items():
            url = server.ws_url(f"/ws/events/{event_id}/queue/{query}")
            origin = f"http://127.0.0.1:{server.port}"
            counts = {"status": 0, "line": 0}
            started = time.monotonic()
            sockets = await _connect_all(url, origin, made["cookies"], counts)
            connect_seconds = time.monotonic() - started
            ctx.progress(
                f"queue {mode}: {options.queue_places} places, {len(sockets)} "
                f"waiting pages open in {connect_seconds:.1f}s; paused for "
                f"{options.queue_seconds:g}s"
            )
            try:
                cpu = cpu_seconds(server.pid)
                async with ctx.profiled(f"queue-{mode}-paused", server.pid):
                    await asyncio.sleep(options.queue_seconds)
                waiting_cpu = (cpu_seconds(server.pid) - cpu) / options.queue_seconds

                before = dict(counts)
                last_window = time.time()
                stack.manage("waiting_room", str(event_id), "--resume")
                resumed = time.monotonic()
                cpu = cpu_seconds(server.pid)
                async with ctx.profiled(f"queue-{mode}", server.pid):
                    await asyncio.sleep(options.queue_seconds)
                admitting_seconds = time.monotonic() - resumed
                admitting_cpu = (cpu_seconds(server.pid) - cpu) / admitting_seconds
                stack.manage("waiting_room", str(event_id), "--pause")
                got = {k: counts[k] - before[k] for k in counts}
            finally:
                for ws in sockets:
                    await ws.close()
            modes[mode] = {
                "sockets": len(sockets),
                "connect_seconds": round(connect_seconds, 2),
                "server_cpu_waiting_per_s": round(waiting_cpu, 4),
                "server_cpu_admitting_per_s": round(admitting_cpu, 4),
                "status_frames": got["status"],
                "line_frames": got["line"],
            }
            ctx.progress(
                f"queue {mode}: server CPU {waiting_cpu:.3f} s/s waiting, "
                f"{admitting_cpu:.3f} s/s admitting; {got['status']} status and "
                f"{got['line']} line frames"
            )
    finally:
        stack.stop_all()

    times, ranks, lowest = _admissions(database, made["room"])
    # The rate is measured over the last window (the bundled page's mode).
    window = [t for t in times if t >= last_window]
    ticks = sorted(set(window))
    rate = None
    if len(ticks) >= 2:
        first_batch = window.count(ticks[0])
        span = ticks[-1] - ticks[0]
        rate = (len(window) - first_batch) / span * 60
    for mode in modes.values():
        per_tick = max(1, len(ticks)) * max(1, mode["sockets"])
        mode["status_frames_per_socket_per_tick"] = round(
            mode["status_frames"] / per_tick, 3
        )
        mode["line_frames_per_socket_per_tick"] = round(
            mode["line_frames"] / per_tick, 3
        )
    measured = {
        "places": options.queue_places,
        "sockets": modes["shared"]["sockets"],
        "rate_setting_per_minute": options.queue_rate,
        "rate_measured_per_minute": None if rate is None else round(rate, 1),
        "rate_error": None
        if rate is None
        else round(abs(rate - options.queue_rate) / options.queue_rate, 4),
        "admitted": len(times),
        "ticks": len(ticks),
        "order_preserved": sorted(ranks) == lowest,
        "modes": modes,
        "target_cpu_admitting_per_s": TARGET_CPU_PER_S,
    }
    ctx.progress(
        f"queue: {measured['admitted']} admitted, the last window in {len(ticks)} "
        f"ticks at {measured['rate_measured_per_minute']}/min (setting "
        f"{options.queue_rate}), order kept: {measured['order_preserved']}"
    )
    return measured


async def _connect_all(url: str, origin: str, cookies: list[str], counts: dict):
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    sockets = []

    async def one(cookie: str) -> None:
        async with gate:
            # As a browser's page: no pings of its own (the websockets
            # client's default is one every 20 s, 500 a second from 10,000
            # pages, which no browser sends), no compression offered.
            ws = await websockets.connect(
                url,
                origin=origin,
                additional_headers={"Cookie": cookie},
                ping_interval=None,
                compression=None,
            )
            first = json.loads(await ws.recv())
            if first.get("type") != "queue.status":
                raise RuntimeError(f"a waiting page got {first}")
            sockets.append(ws)
            asyncio.get_running_loop().create_task(_count(ws, counts))

    await asyncio.gather(*(one(c) for c in cookies))
    return sockets


async def _count(ws, counts: dict) -> None:
    try:
        async for text in ws:
            # Frames start with their type (wire.frames.dumps keeps the order).
            counts["line" if '"queue.line"' in text[:24] else "status"] += 1
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
