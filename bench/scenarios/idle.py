"""Idle cost: what 1,000 open seat maps cost the server while nothing changes.

Ours: the clients stay connected for the window and the server only pushes
(nothing, when nothing changes) and sweeps. The polling design beside it: the
same number of keep-alive HTTP clients fetching the seat-map snapshot
(`GET /api/events/<id>/seats/`, the demo venue of 200 seats) every 3 s, each
with a random phase, against a fresh server of the same kind. CPU seconds are
the server process's user + system time over the window (psutil).
"""

from __future__ import annotations

import asyncio
import time

from bench.context import cpu_seconds
from bench.stats import ratio, summary_ms
from devtools.wsclient import seat_map_path

NAME = "idle"
TITLE = "idle cost: open sockets vs polling"


async def run(ctx) -> dict:
    options = ctx.options
    window = options.idle_seconds
    count = options.idle_clients

    stack, events = ctx.sqlite_stack("idle")
    event_id = events["demo"]
    pool = None
    try:
        server = stack.serve()
        pool = await ctx.generators(stack)
        connected = await pool.connect(
            [server.ws_url(seat_map_path(event_id))], count, watch=False
        )
        ctx.progress(
            f"idle: {connected['connected']} sockets open "
            f"({connected['failed']} failed); watching {window:g}s"
        )
        await asyncio.sleep(1.0)
        frames_before = (await pool.stats())["frames"]
        cpu_before = cpu_seconds(server.pid)
        async with ctx.profiled("idle-ours", server.pid):
            await asyncio.sleep(window)
        ours_cpu = cpu_seconds(server.pid) - cpu_before
        frames = (await pool.stats())["frames"] - frames_before
        await pool.close_sockets()
        stack.stop(server.process)

        server = stack.serve()
        ctx.progress(
            f"idle: {count} clients polling every {options.poll_interval:g}s "
            f"for {window:g}s"
        )
        start_at = time.monotonic() + 1.0
        shares = [
            count // len(pool) + (i < count % len(pool)) for i in range(len(pool))
        ]
        polling = asyncio.gather(
            *(
                p.call(
                    "poll",
                    port=server.port,
                    path=f"/api/events/{event_id}/seats/",
                    count=n,
                    interval=options.poll_interval,
                    seconds=window,
                    start_at=start_at,
                    timeout=window + 120,
                )
                for p, n in zip(pool.processes, shares, strict=True)
            )
        )
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        cpu_before = cpu_seconds(server.pid)
        async with ctx.profiled("idle-polling", server.pid):
            await asyncio.sleep(window)
        poll_cpu = cpu_seconds(server.pid) - cpu_before
        results = await polling
    finally:
        if pool is not None:
            await pool.stop()
        stack.stop_all()

    responses = sum(r["responses"] for r in results)
    expected = count * window / options.poll_interval
    outcome = {
        "clients": count,
        "window_seconds": window,
        "ours": {
            "connected": connected["connected"],
            "cpu_seconds": round(ours_cpu, 3),
            "requests_served": 0,
            "frames_pushed": frames,
        },
        "polling": {
            "interval_seconds": options.poll_interval,
            "cpu_seconds": round(poll_cpu, 3),
            "requests_served": responses,
            "requests_scheduled": int(expected),
            "failures": sum(r["failures"] for r in results),
            "mbytes_sent": round(sum(r["bytes"] for r in results) / 1e6, 1),
            "rtt": summary_ms([t for r in results for t in r["rtt"]]),
        },
    }
    outcome["polling_over_ours_cpu"] = ratio(poll_cpu, ours_cpu)
    ctx.progress(
        f"idle: ours {ours_cpu:.2f} CPU s, polling {poll_cpu:.2f} CPU s "
        f"({responses} responses)"
    )
    return outcome
