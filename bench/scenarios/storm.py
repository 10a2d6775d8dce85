"""Storm: thousands of people arrive at once, every one of them needs the map.

A 5,000-seat event on one server; sockets opened as fast as the load
generators can (each opens 50 at a time), first with the full snapshot (the
protocol's default; 500 sockets, the old way's "before": 5,000 would take
the server some ten minutes), then, on a fresh server, 5,000 with live
snapshots (`?snapshot=live`: the live state, the layout a document fetched
once per browser, not counted here). Reported per mode: the time from the first
connect to the last snapshot received, the snapshot's size on the wire, and
the server's CPU per connect (handshake, session, snapshot), from /proc.
One warm-up connect per server first: the process's one-off costs (imports,
the first layout read) are not an arrival's.
"""

from __future__ import annotations

import asyncio

from bench.context import cpu_seconds
from devtools.wsclient import SeatMapClient, ignore, seat_map_path

NAME = "storm"
TITLE = "arrival storm: sockets opened at once on a large event"
TARGET_SECONDS = 10.0
TARGET_BYTES = 4 * 1024
TARGET_CPU_MS = 1.0


async def run(ctx) -> dict:
    options = ctx.options
    stack, _ = ctx.sqlite_stack("storm")
    rows = options.storm_rows
    per_row = max(1, options.storm_seats // rows)
    event_id = stack.new_event("Storm", rows, per_row)
    modes = {}
    pool = None
    try:
        pool = await ctx.generators(stack)
        for mode in ("full", "live"):
            sockets = options.storm_sockets
            if mode == "full":
                sockets = options.storm_full_sockets
            server = stack.serve()
            url = server.ws_url(seat_map_path(event_id, live=mode == "live"))
            warm = await SeatMapClient.open(url, ignore)
            await warm.close()
            await asyncio.sleep(0.5)
            cpu_before = cpu_seconds(server.pid)
            async with ctx.profiled(f"storm-{mode}", server.pid):
                result = await pool.connect([url], sockets, watch=False)
            cpu = cpu_seconds(server.pid) - cpu_before
            connected = result["connected"]
            modes[mode] = {
                "sockets": sockets,
                "connected": connected,
                "failed": result["failed"],
                "seconds": round(result["seconds"], 2),
                "bytes_per_snapshot": round(
                    result["snapshot_bytes"] / max(1, connected)
                ),
                "server_cpu_seconds": round(cpu, 3),
                "cpu_ms_per_connect": round(cpu / max(1, connected) * 1000, 3),
            }
            ctx.progress(
                f"storm {mode}: {connected} of {sockets} snapshotted "
                f"in {modes[mode]['seconds']}s, "
                f"{modes[mode]['bytes_per_snapshot']} bytes each, "
                f"{modes[mode]['cpu_ms_per_connect']} ms CPU per connect"
            )
            await pool.close_sockets()
            stack.stop(server.process)
    finally:
        if pool is not None:
            await pool.stop()
        stack.stop_all()
    return {
        "seats": rows * per_row,
        "modes": modes,
        "targets": {
            "seconds": TARGET_SECONDS,
            "bytes_per_snapshot": TARGET_BYTES,
            "cpu_ms_per_connect": TARGET_CPU_MS,
        },
    }
