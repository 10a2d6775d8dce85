"""Sweep: thousands of expired holds over several events, released in one sweep.

`seats.services.hold_seats(..., now=<an hour ago>)` makes the holds (one seat
per holder, so each is its own hold); `release_expired()` is timed, wall
clock, including its after-commit announcements; the channel-layer messages
are counted at `group_send`. Run on the embedded default (SQLite, in-memory
layer) and on the production shape (PostgreSQL, Redis).
"""

from __future__ import annotations

import json

from bench.servers import PG_DATABASE, REDIS_URL
from devtools.databases import flush_redis

NAME = "sweep"
TITLE = "one sweep of many expired holds"


async def run(ctx) -> dict:
    options = ctx.options
    runs = []
    for backend in ("sqlite", "postgresql"):
        if backend == "sqlite":
            stack = ctx.stack("sweep-sqlite")
        else:
            stack = ctx.stack(
                "sweep-postgresql",
                DATABASE_URL=ctx.postgres_database(),
                REDIS_URL=REDIS_URL,
            )
            flush_redis(REDIS_URL)
        try:
            if backend == "sqlite":
                stack.migrate()
            ctx.progress(
                f"sweep {backend}: making {options.sweep_holds} expired holds over "
                f"{options.sweep_events} events"
            )
            out = stack.python(
                "-m",
                "bench.scenarios.sweep_job",
                "--events",
                str(options.sweep_events),
                "--holds",
                str(options.sweep_holds),
                timeout=900,
            )
        finally:
            stack.stop_all()
            if backend == "postgresql":
                PG_DATABASE.drop()
        result = json.loads(out.strip().splitlines()[-1])
        result["backend"] = backend
        result["events"] = options.sweep_events
        runs.append(result)
        ctx.progress(
            f"sweep {backend}: {result['released']} released in "
            f"{result['wall_ms']} ms, layer messages {result['layer_messages']}"
        )
    return {"runs": runs}
