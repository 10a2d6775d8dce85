"""People clicking on one event: the run shared by `contention` and `onsale`.

The production shape: PostgreSQL (database `seats_bench_<pid>`, created for
each run and dropped after it), the Redis channel layer (db 11, flushed) and
two `manage.py serve --no-sweeper` workers. Clickers hold 1..N random seats
and then book or release them, again and again; watchers only receive. Every
socket receives every broadcast, as a browser would.

Afterwards three audits: the `seats_activity` table replayed per seat in
version order (no seat held by two holders at once; reading tables: see
bench/internals.py), every socket's versions against the event's version
(bench/audit.py), and each version's broadcast lag: from the change's
timestamp in the database (taken in its transaction, just before commit) to
the moment the last watcher had it.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field, replace

import psutil
import psycopg

from bench.context import cpu_seconds, machine_busy_seconds
from bench.report_clicking import failures
from bench.servers import PG_DATABASE, REDIS_URL
from bench.stats import summary_ms
from bench.watchers import ReadDelays
from devtools.databases import flush_redis
from devtools.wsclient import SeatMapClient, ignore, seat_map_path


@dataclass
class Clicking:
    """One run's shape."""

    name: str
    clickers: int
    watchers: int
    rows: int
    seats_per_row: int
    seconds: float
    max_seats: int
    book_share: float = 0.0
    # Actions per second per clicker, each on its own schedule (an open loop,
    # bench.clients.Generator.op_contend); None: each clicker acts again as
    # soon as it has its answer (a closed loop, the most the server answers).
    pace: float | None = None
    # Clickers in a generator process of their own: a person's browser does
    # not wait for thousands of others' frames to be read before its answer.
    separate_clickers: bool = False
    connect_concurrency: int = 50
    env: dict[str, str] = field(default_factory=dict)


# The floor coalesces as our workers do by default
# (SEAT_BROADCAST_WINDOW_SECONDS in config/settings.py).
FLOOR_WINDOW_SECONDS = 0.05


async def run_once(ctx, shape: Clicking) -> dict:
    database_url = ctx.postgres_database()
    flush_redis(REDIS_URL)
    stack = ctx.stack(
        shape.name, DATABASE_URL=database_url, REDIS_URL=REDIS_URL, **shape.env
    )
    try:
        event_id = stack.new_event(shape.name.title(), shape.rows, shape.seats_per_row)
        workers = [stack.serve("--no-sweeper") for _ in range(2)]
        # The ids from a full snapshot; every client then as the bundled page
        # is, with live snapshots (the layout is a document it keeps).
        seat_ids = await _seat_ids(workers[0].ws_url(seat_map_path(event_id)))
        urls = [w.ws_url(seat_map_path(event_id, live=True)) for w in workers]
        measured = await _drive(ctx, shape, stack, workers, urls, seat_ids)
        activity = audit_activity(database_url, event_id)
        committed = _change_times(database_url, event_id)
    finally:
        stack.stop_all()
        PG_DATABASE.drop()
    return _outcome(shape, activity=activity, committed=committed, **measured)


async def run_floor_once(ctx, shape: Clicking, *, database: bool = False) -> dict:
    """The same run against the floor: two plain `websockets` processes over
    Redis pub/sub, coalescing with our default window
    (bench/baselines/floor_server.py). Without `database` every request is
    granted and nothing is stored: what this machine allows a Python
    broadcast beside this load generator. With it, each click is one call to
    our click functions on a fresh PostgreSQL database, as our workers send
    it from their loop, and the activity is audited as ours is: what a
    Python server making our database calls allows."""
    flush_redis(REDIS_URL)
    database_url = ctx.postgres_database() if database else None
    env = {"DATABASE_URL": database_url} if database_url else {}
    stack = ctx.stack(f"{shape.name}-floor", **env)
    times = [stack.var_dir / f"floor-times-{i}.json" for i in range(2)]
    activity = None
    try:
        event_id = None
        seat_ids = list(range(1, shape.rows * shape.seats_per_row + 1))
        if database_url:
            event_id = stack.new_event(
                shape.name.title(), shape.rows, shape.seats_per_row
            )
            seat_ids = _seat_ids_in(database_url, event_id)
        workers = [
            stack.serve_floor(
                REDIS_URL,
                window=FLOOR_WINDOW_SECONDS,
                times=path,
                database=database_url,
                event_id=event_id,
            )
            for path in times
        ]
        urls = [w.ws_url("/") for w in workers]
        # Named apart, so its profile (--profile) does not replace ours.
        named = replace(shape, name=f"{shape.name}-floor")
        measured = await _drive(ctx, named, stack, workers, urls, seat_ids)
        if database_url:
            activity = audit_activity(database_url, event_id)
    finally:
        stack.stop_all()  # the floor writes its change times as it stops
        if database_url:
            PG_DATABASE.drop()
    committed: dict[int, float] = {}
    for path in times:
        committed |= {int(v): t for v, t in json.loads(path.read_text()).items()}
    return _outcome(shape, activity=activity, committed=committed, **measured)


async def _drive(ctx, shape: Clicking, stack, workers, urls, seat_ids) -> dict:
    """Connect the watchers and clickers, click for `shape.seconds`, audit
    every socket; what the run measured (CPU, frames, arrivals)."""
    separate = shape.separate_clickers and shape.watchers and shape.clickers
    pool = await ctx.generators(stack, ctx.options.generators + (1 if separate else 0))
    watching = range(len(pool) - 1) if separate else range(len(pool))
    clicking = range(len(pool) - 1, len(pool)) if separate else range(len(pool))
    try:
        for count, watch, among in (
            (shape.watchers, True, watching),
            (shape.clickers, False, clicking),
        ):
            if count:
                connected = await pool.connect(
                    urls,
                    count,
                    watch=watch,
                    concurrency=shape.connect_concurrency,
                    among=among,
                )
                ctx.progress(
                    f"{shape.name}: {count} {'watchers' if watch else 'clickers'}"
                    f" connected in {connected['seconds']:.1f}s"
                )
                if connected["failed"]:
                    raise RuntimeError(
                        f"{connected['failed']} sockets failed; the last errors: "
                        f"{dict(connected['errors'])}\n"
                        + "\n".join(stack.state_of(w) for w in workers)
                    )
        ctx.progress(
            f"{shape.name}: {shape.clickers} clickers + {shape.watchers} watchers "
            f"on 2 workers, {len(seat_ids)} seats, {shape.seconds:g}s"
            + (f", {shape.pace:g} actions/s each" if shape.pace else "")
            + "".join(f", {k}={v}" for k, v in shape.env.items())
        )
        start_at = time.monotonic() + 0.5
        cpu_before = [cpu_seconds(w.pid) for w in workers]
        generator_before = await pool.cpu_seconds()
        machine_before = machine_busy_seconds()
        async with ctx.profiled(f"{shape.name}-worker-0", workers[0].pid):
            results = await pool.call_all(
                "contend",
                [{"seed": 1000 + i} for i in range(len(pool))],
                seat_ids=seat_ids,
                seconds=shape.seconds,
                start_at=start_at,
                max_seats=shape.max_seats,
                book_share=shape.book_share,
                pace=shape.pace,
                timeout=shape.seconds + 120,
            )
        worker_cpu = [
            cpu_seconds(w.pid) - b for w, b in zip(workers, cpu_before, strict=True)
        ]
        machine_cpu = machine_busy_seconds() - machine_before
        generator_cpu = await pool.cpu_seconds() - generator_before
        version = await _version_now(urls[0])
        clients = await pool.audit(version)
        arrivals = _last_arrivals(pool, watching) if shape.watchers else {}
        stats = await pool.close_sockets()
    finally:
        await pool.stop()
    return {
        "results": results,
        "seats": len(seat_ids),
        "version": version,
        "clients": clients,
        "arrivals": arrivals,
        "frames": stats,
        "worker_cpu": worker_cpu,
        "generator_cpu": generator_cpu,
        "machine_cpu": machine_cpu,
    }


def _outcome(
    shape: Clicking,
    *,
    results: list[dict],
    arrivals: dict[int, float],
    committed: dict[int, float],
    **measured,
) -> dict:
    lag = [arrivals[v] - committed[v] for v in arrivals if v in committed]
    elapsed = max(r["elapsed"] for r in results)
    counts = {
        key: sum(r[key] for r in results)
        for key in ("hold_ok", "release_ok", "book_ok", "conflicts", "lost")
    }
    errors: dict[str, int] = {}
    for r in results:
        for code, n in r["errors"].items():
            errors[code] = errors.get(code, 0) + n
    rtt = {k: [t for r in results for t in r["rtt"][k]] for k in results[0]["rtt"]}
    changes = counts["hold_ok"] + counts["release_ok"] + counts["book_ok"]
    answers = changes + counts["conflicts"] + sum(errors.values())
    frames = measured["frames"]
    watcher_frames = frames["watcher_frames"]
    return {
        "clickers": shape.clickers,
        "watchers": shape.watchers,
        "pace": shape.pace,
        "seats": measured["seats"],
        "env": shape.env,
        "elapsed_seconds": round(elapsed, 2),
        "holds": counts["hold_ok"],
        "releases": counts["release_ok"],
        "bookings": counts["book_ok"],
        "conflicts": counts["conflicts"],
        "errors": errors,
        "lost_clients": counts["lost"],
        "answers_per_s": round(answers / elapsed, 1),
        "changes_per_s": round(changes / elapsed, 1),
        "conflicts_per_s": round(counts["conflicts"] / elapsed, 1),
        "rtt": summary_ms([t for ts in rtt.values() for t in ts]),
        "hold_rtt": summary_ms(rtt["hold"]),
        "event_version": measured["version"],
        "frames_received": frames["frames"],
        "frames_per_client_per_s": round(
            frames["frames"] / max(1, frames["clients"]) / elapsed, 1
        ),
        "frames_per_watcher_per_s": (
            round(watcher_frames / shape.watchers / elapsed, 1)
            if shape.watchers
            else None
        ),
        "broadcast_lag": summary_ms(lag),
        # How long the watchers' frames waited in their sockets for the
        # generator to read them: not in the lag (bench.watchers).
        "read_delay": ReadDelays.of(frames["read_delay_counts"]).summary(),
        "lag_versions_timed": len(lag),
        "lag_versions": len(committed),
        "worker_cpu_seconds": [round(c, 2) for c in measured["worker_cpu"]],
        "generator_cpu_seconds": round(measured["generator_cpu"], 2),
        # Everything the machine did over the run (database and generator
        # included) per answer: the cost that bounds answers/s on this machine.
        "machine_cpu_ms_per_answer": round(
            measured["machine_cpu"] * 1000 / max(1, answers), 3
        ),
        "cores": psutil.cpu_count(),
        "client_audit": measured["clients"],
        "audit": measured["activity"],
    }


async def repeated_runs(
    ctx,
    shape,
    before: dict[str, dict[str, str]],
    figures: dict[str, tuple[str, ...]],
    said,
) -> dict:
    """`shape(env)` run `timed_runs` times, then once per `before` setting.

    The result of a repeated scenario: every run, the median and spread of
    `figures`, what made runs unusable, and the before runs by label.
    """
    options = ctx.options
    name = shape({}).name
    runs = []
    for number in range(options.timed_runs):
        ctx.progress(f"{name}: run {number + 1} of {options.timed_runs}")
        runs.append(await run_once(ctx, shape({})))
        said(ctx, runs[-1])
    done = {}
    if options.before_runs:
        for label, env in before.items():
            ctx.progress(f"{name}: before, {label}")
            done[label] = await run_once(ctx, shape(env))
            said(ctx, done[label])
    return {
        "runs": runs,
        "summary": repeated(runs, figures),
        "failures": [p for r in runs for p in failures(r)],
        "before": done,
    }


def repeated(runs: list[dict], keys: dict[str, tuple[str, ...]]) -> dict:
    """Median and spread (min, max) of each figure over the runs."""
    out = {}
    for name, path in keys.items():
        values = []
        for run in runs:
            value = run
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            if value is not None:
                values.append(value)
        out[name] = {
            "median": statistics.median(values) if values else None,
            "min": min(values) if values else None,
            "max": max(values) if values else None,
        }
    return out


async def _seat_ids(url: str) -> list[int]:
    """The event's seat ids in order, from the snapshot a client gets."""
    probe = await SeatMapClient.open(url, ignore)
    await probe.close()
    return sorted(seat["id"] for seat in probe.snapshot["seats"])


def _seat_ids_in(database_url: str, event_id: int) -> list[int]:
    """The event's seat ids in order, read from its database."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT id FROM seats_seat WHERE event_id = %s ORDER BY id", [event_id]
        ).fetchall()
    return [seat_id for (seat_id,) in rows]


async def _version_now(url: str) -> int:
    """The event's version now, as a new client's snapshot says."""
    probe = await SeatMapClient.open(url, ignore)
    await probe.close()
    return probe.snapshot["version"]


def _last_arrivals(pool, watching: range) -> dict[int, float]:
    """Per version, when the last watcher of any process had it (wall clock)."""
    per_process = [pool.processes[i].arrivals() for i in watching]
    common = set.intersection(*(set(a) for a in per_process))
    return {v: max(a[v]["last_wall"] for a in per_process) for v in common}


def _change_times(database_url: str, event_id: int) -> dict[int, float]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT version, extract(epoch FROM min(at)) FROM seats_activity "
            "WHERE event_id = %s GROUP BY version",
            [event_id],
        ).fetchall()
    return {version: float(at) for version, at in rows}


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
