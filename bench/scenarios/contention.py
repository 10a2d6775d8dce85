"""Contention: many clients over two workers fighting for the seats of one event.

The production shape: PostgreSQL (database `seats_bench_<pid>`, created for
the run and dropped after it), the Redis channel layer (db 11, flushed) and two
`manage.py serve --no-sweeper` workers. Each client holds 1..4 random seats;
when that works it releases them; then again, until the time is up. Every
client also receives every broadcast, as a browser would. Afterwards the
`seats_activity` table is replayed per seat in version order to prove no seat
was ever held by two holders at once (reading tables: see bench/internals.py).
"""

from __future__ import annotations

import asyncio
import time

import psycopg

from bench.context import cpu_seconds
from bench.servers import PG_DATABASE, REDIS_URL
from bench.stats import summary_ms
from devtools.databases import flush_redis
from devtools.wsclient import SeatMapClient, ignore, seat_map_path

NAME = "contention"
TITLE = "contention, 2 workers on PostgreSQL + Redis"


async def run(ctx) -> dict:
    options = ctx.options
    database_url = PG_DATABASE.create()
    flush_redis(REDIS_URL)
    stack = ctx.stack("contention", DATABASE_URL=database_url, REDIS_URL=REDIS_URL)
    pool = None
    try:
        stack.migrate()
        rows = -(-options.contention_seats // 20)
        event_id = stack.new_event("Contention", rows, 20)
        workers = [stack.serve("--no-sweeper") for _ in range(2)]
        urls = [w.ws_url(seat_map_path(event_id)) for w in workers]
        seat_ids = (await _seat_ids(urls[0]))[: options.contention_seats]
        pool = await ctx.generators(stack)
        connected = await pool.connect(urls, options.contention_clients, watch=False)
        if connected["failed"]:
            raise RuntimeError(f"{connected['failed']} sockets failed to connect")
        ctx.progress(
            f"contention: {connected['connected']} clients on 2 workers, "
            f"{len(seat_ids)} seats, {options.contention_seconds:g}s"
        )
        start_at = time.monotonic() + 0.5
        cpu_before = [cpu_seconds(w.pid) for w in workers]
        async with ctx.profiled("contention-worker-0", workers[0].pid):
            results = await _contend(pool, seat_ids, options, start_at)
        cpu = [cpu_seconds(w.pid) - b for w, b in zip(workers, cpu_before, strict=True)]
        drained_in, frames = await _drain(pool)
        stats = await pool.close_sockets()
        await pool.stop()
        pool = None
        audit = audit_activity(database_url, event_id)
    finally:
        if pool is not None:
            await pool.stop()
        stack.stop_all()
        PG_DATABASE.drop()

    elapsed = max(r["elapsed"] for r in results)
    holds = sum(r["hold_ok"] for r in results)
    releases = sum(r["release_ok"] for r in results)
    conflicts = sum(r["conflicts"] for r in results)
    errors: dict[str, int] = {}
    for r in results:
        for code, n in r["errors"].items():
            errors[code] = errors.get(code, 0) + n
    rtt = [t for r in results for t in r["rtt"]]
    outcome = {
        "clients": options.contention_clients,
        "seats": len(seat_ids),
        "elapsed_seconds": round(elapsed, 2),
        "holds": holds,
        "releases": releases,
        "conflicts": conflicts,
        "errors": errors,
        "lost_clients": sum(r["lost"] for r in results),
        "holds_per_s": round(holds / elapsed, 1),
        "releases_per_s": round(releases / elapsed, 1),
        "conflicts_per_s": round(conflicts / elapsed, 1),
        "ops_per_s": round((holds + releases + conflicts) / elapsed, 1),
        "broadcast_frames_expected": (holds + releases) * options.contention_clients,
        "broadcast_frames_received": stats["frames"],
        "broadcast_drain_seconds": drained_in,
        "worker_cpu_seconds": [round(c, 2) for c in cpu],
        "rtt": summary_ms(rtt),
        "audit": audit,
    }
    ctx.progress(
        f"contention: {outcome['ops_per_s']} ops/s, p99 {outcome['rtt']['p99_ms']} ms, "
        f"double holds {audit['double_holds']}"
    )
    return outcome


async def _seat_ids(url: str) -> list[int]:
    """The event's seat ids in order, from the snapshot a client gets."""
    probe = await SeatMapClient.open(url, ignore)
    await probe.close()
    return sorted(seat["id"] for seat in probe.snapshot["seats"])


async def _drain(pool, quiet: float = 1.0, limit: float = 30.0) -> tuple[float, int]:
    """Wait until broadcasts stop arriving; returns (seconds it took, frames)."""
    started = time.monotonic()
    frames = (await pool.stats())["frames"]
    while time.monotonic() - started < limit:
        await asyncio.sleep(quiet)
        now = (await pool.stats())["frames"]
        if now == frames:
            break
        frames = now
    return round(time.monotonic() - started - quiet, 1), frames


async def _contend(pool, seat_ids: list[int], options, start_at: float) -> list[dict]:
    return await pool.call_all(
        "contend",
        [{"seed": 1000 + i} for i in range(len(pool))],
        seat_ids=seat_ids,
        seconds=options.contention_seconds,
        start_at=start_at,
        max_seats=options.contention_max_seats,
        timeout=options.contention_seconds + 120,
    )


def audit_activity(database_url: str, event_id: int) -> dict:
    """Replay each seat's activity in version order; count impossible steps."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT seat_id, version, id, kind, holder FROM seats_activity "
            "WHERE event_id = %s ORDER BY seat_id, version, id",
            [event_id],
        ).fetchall()
        still_held = conn.execute(
            "SELECT count(*) FROM seats_seat "
            "WHERE event_id = %s AND hold_id IS NOT NULL",
            [event_id],
        ).fetchone()[0]
    double_holds = wrong_holder = 0
    kinds: dict[str, int] = {}
    holder_of: dict[int, str | None] = {}
    for seat_id, _version, _id, kind, holder in rows:
        kinds[kind] = kinds.get(kind, 0) + 1
        current = holder_of.get(seat_id)
        if kind == "held":
            if current is not None:
                double_holds += 1
            holder_of[seat_id] = holder
        elif kind == "extended":
            if current != holder:
                wrong_holder += 1
        else:  # released, expired, booked: the seat's holder lets go
            if current != holder:
                wrong_holder += 1
            holder_of[seat_id] = None
    return {
        "rows": len(rows),
        "kinds": kinds,
        "double_holds": double_holds,
        "wrong_holder": wrong_holder,
        "held_at_end": still_held,
    }
