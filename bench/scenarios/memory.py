"""Memory: the server's resident set with 1,000 and 5,000 idle connections.

RSS_0 is taken after one warm-up connection came and went (imports, the
hub, the first snapshot are paid once), then sockets are added and RSS read
after each size settles: bytes per connection = (RSS_n - RSS_0) / n.
"""

from __future__ import annotations

import asyncio
import gc

from bench.context import rss_bytes
from devtools.wsclient import SeatMapClient, ignore, seat_map_path

NAME = "memory"
TITLE = "server memory per idle connection"
TARGET_BYTES = 64 * 1024


async def run(ctx) -> dict:
    stack, events = ctx.sqlite_stack("memory")
    pool = None
    sizes = []
    try:
        server = stack.serve()
        url = server.ws_url(seat_map_path(events["demo"]))
        for _ in range(2):
            warm = await SeatMapClient.open(url, ignore)
            await warm.close()
        await asyncio.sleep(1.5)
        rss_0 = rss_bytes(server.pid)
        pool = await ctx.generators(stack)
        connected = 0
        for n in ctx.options.memory_sizes:
            result = await pool.connect([url], n - connected, watch=False)
            connected = (await pool.stats())["open"]
            await asyncio.sleep(2.0)
            gc.collect()
            rss = rss_bytes(server.pid)
            sizes.append(
                {
                    "n": n,
                    "open": connected,
                    "connect_failed": result["failed"],
                    "rss_mib": round(rss / 2**20, 1),
                    "bytes_per_connection": round((rss - rss_0) / max(1, connected)),
                }
            )
            ctx.progress(
                f"memory: {connected} sockets, RSS {sizes[-1]['rss_mib']} MiB, "
                f"{sizes[-1]['bytes_per_connection'] / 1024:.1f} KiB per connection"
            )
    finally:
        if pool is not None:
            await pool.stop()
        stack.stop_all()
    return {
        "rss_0_mib": round(rss_0 / 2**20, 1),
        "sizes": sizes,
        "target_bytes": TARGET_BYTES,
    }
