"""Fan-out latency: one change, N watching sockets on one server process.

The acting client (one extra socket) holds, then releases, one seat; each
request is one sample: the time from sending it until the last of the N
watchers has the `seats.changed` frame of that version. The server's CPU
time over the recorded rounds, divided by the frames it delivered, is the
fan-out's cost per frame (it includes the acting client's request, a few
milliseconds spread over N frames). Before any watcher connects, the same
rounds with the acting client alone give the server's CPU per click (the
request, its database work, its one frame), which the rows also take out:
what is left is the cost of writing the frame to N sockets, the part the
floor (which answers a click with no work at all) can be compared on.
Watchers are spread
over the generator processes; each reports when all of its watchers had the
version (CLOCK_MONOTONIC, shared by every process), and the latest wins.

Setups: the floor (plain `websockets`, alone and through Redis pub/sub), ours
(`manage.py serve`: hub + outboxes), ours framing each frame per socket
(SEAT_WS_FRAMES_ONCE=0, the before figure of framing once) and the standard
Channels pattern (group per consumer), on the in-memory layer and on Redis.
"""

from __future__ import annotations

import asyncio
import time

from bench.context import cpu_seconds
from bench.servers import REDIS_URL
from bench.stats import ratio, summary_ms
from devtools.databases import flush_redis
from devtools.wsclient import SeatMapClient, ignore, seat_map_path

NAME = "fanout"
TITLE = "fan-out latency, one server process"
ROUND_TIMEOUT = 60.0
# The idle window before the rounds with no watcher, at least.
CLICK_IDLE_SECONDS = 2.0
# Between rounds, longer than the broadcast window (SEAT_BROADCAST_WINDOW_SECONDS,
# 50 ms): each round's change reaches a quiet event and goes out at once, as
# one click on an event nobody else is clicking does. What a busy event's
# window costs and saves, the contention and on-sale scenarios measure.
ROUND_PAUSE = 0.08

# (system, layer): the floor has no channel layer, "redis" there is pub/sub.
SETUPS = [
    ("floor", "memory"),
    ("floor", "redis"),
    ("ours", "memory"),
    ("ours-per-socket", "memory"),
    ("standard", "memory"),
    ("ours", "redis-core"),
    ("ours", "redis-pubsub"),
    ("standard", "redis-core"),
]


def _env(system: str, layer: str) -> dict[str, str]:
    env = {}
    if system == "ours-per-socket":
        # The before figure of writing frames once: framed per socket.
        env["SEAT_WS_FRAMES_ONCE"] = "0"
    if layer.startswith("redis-"):
        env |= {"REDIS_URL": REDIS_URL, "REDIS_CHANNEL_LAYER": layer.split("-", 1)[1]}
    return env


async def run(ctx) -> dict:
    runs = []
    wanted = ctx.options.fanout_setups
    for system, layer in SETUPS:
        if wanted and f"{system}/{layer}" not in wanted:
            continue
        runs.append(await measure(ctx, system, layer))
    return {"runs": runs, "ratios": ratios(runs, ctx.options.fanout_sizes)}


async def measure(ctx, system: str, layer: str) -> dict:
    options = ctx.options
    label = f"{system}/{layer}"
    if system == "floor":
        stack, event_id = ctx.stack(f"fanout-floor-{layer}"), 1
    else:
        stack, events = ctx.sqlite_stack(
            f"fanout-{system}-{layer}", **_env(system, layer)
        )
        event_id = events["fanout"]
    if layer != "memory":
        flush_redis(REDIS_URL)
    pool = actor = None
    try:
        if system == "floor":
            server = stack.serve_floor(REDIS_URL if layer == "redis" else None)
        elif system.startswith("ours"):
            server = stack.serve()
        else:
            server = stack.serve_standard()
        url = server.ws_url(seat_map_path(event_id))
        pool = await ctx.generators(stack)
        actor = await SeatMapClient.open(url, ignore)
        seats = actor.snapshot.get("seats") or [{"id": 1}]
        seat_ids = [seats[0]["id"]]
        version = actor.snapshot.get("version", 0)
        click_cpu, version = await _click_cpu(
            server.pid, actor, seat_ids, version, options
        )
        sizes = []
        wanted = options.fanout_sizes
        if system == "standard":
            # Connecting 5,000 group members takes a minute and each broadcast
            # seconds: beyond this the baseline alone would blow the budget.
            wanted = [n for n in wanted if n <= options.standard_max_n]
        for n in wanted:
            connected = await pool.connect([url], n - await _open(pool))
            watchers = await _open(pool)
            ctx.progress(
                f"fanout {label} N={watchers}: connected in "
                f"{connected['seconds']:.1f}s ({connected['failed']} failed); "
                f"{options.fanout_rounds} rounds"
            )
            samples, lost = [], 0
            warmup = 2 * options.fanout_warmup
            cpu_rounds = 2 * options.fanout_rounds
            # What the server spends with every watcher connected and nothing
            # happening (keepalive pings, heartbeats, timers): part of the
            # rounds' CPU too, but not a frame's.
            idle_from = cpu_seconds(server.pid)
            await asyncio.sleep(options.fanout_idle_seconds)
            idle_per_s = (
                cpu_seconds(server.pid) - idle_from
            ) / options.fanout_idle_seconds
            async with ctx.profiled(f"fanout-{system}-{layer}-{n}", server.pid):
                for i in range(warmup + 2 * options.fanout_rounds):
                    if i == warmup:
                        # The server's own CPU over the recorded rounds: the
                        # fan-out's cost, robust to a busy machine.
                        cpu_before = cpu_seconds(server.pid)
                        rounds_from = time.monotonic()
                    kind = "hold" if i % 2 == 0 else "release"
                    version += 1
                    sent = time.monotonic()
                    reply = await actor.request({"type": kind, "seat_ids": seat_ids})
                    if reply["type"] != f"{kind}.ok":
                        raise RuntimeError(f"{label}: {kind} answered {reply}")
                    seen = await pool.all_saw(version, ROUND_TIMEOUT)
                    if any(s is None for s in seen):
                        lost += 1
                    elif i >= warmup:
                        samples.append(max(s["last"] for s in seen) - sent)
                    await asyncio.sleep(ROUND_PAUSE)
            cpu = cpu_seconds(server.pid) - cpu_before
            rounds_seconds = time.monotonic() - rounds_from
            net = max(0.0, cpu - idle_per_s * rounds_seconds)
            stats = await pool.stats()
            sizes.append(
                {
                    "n": n,
                    "watchers": watchers,
                    "connect_failed": connected["failed"],
                    "connect_seconds": round(connected["seconds"], 2),
                    "lost_rounds": lost,
                    "still_open": stats["open"],
                    "server_cpu_seconds": round(cpu, 3),
                    "cpu_us_per_frame": round(cpu / (cpu_rounds * watchers) * 1e6, 2),
                    "idle_cpu_per_s": round(idle_per_s, 4),
                    "rounds_seconds": round(rounds_seconds, 3),
                    # Less what the same time costs with nothing sent.
                    "cpu_us_per_frame_net": round(
                        net / (cpu_rounds * watchers) * 1e6, 2
                    ),
                    "click_cpu_ms": round(click_cpu * 1000, 3),
                    # And less the clicks themselves: the writing to N sockets.
                    "cpu_us_per_frame_fanout": round(
                        max(0.0, net - click_cpu * cpu_rounds)
                        / (cpu_rounds * watchers)
                        * 1e6,
                        2,
                    ),
                    **summary_ms(samples),
                }
            )
            row = sizes[-1]
            ctx.progress(
                f"fanout {label} N={n}: p50 {row['p50_ms']} ms, "
                f"p99 {row['p99_ms']} ms, lost {lost}"
            )
        return {"system": system, "layer": layer, "sizes": sizes}
    finally:
        if actor is not None:
            await actor.close()
        if pool is not None:
            await pool.stop()
        stack.stop_all()


async def _click_cpu(
    pid: int, actor: SeatMapClient, seat_ids: list[int], version: int, options
) -> tuple[float, int]:
    """The server's CPU per round with the acting client alone (less the
    same time idle), and the event's version after those rounds.

    The kernel counts a process's CPU in 10 ms ticks, and the idle rate
    comes from a few seconds: over the 20 rounds this took once, a click's
    figure was off by a millisecond or more either way (2.2 ms in one full
    run, 4.2 ms in another, against 1.5 ms back to back), and with it the
    rows' "net of the clicks". So a hundred rounds, and an idle window of
    a few seconds."""
    rounds = options.fanout_click_rounds
    idle_seconds = max(CLICK_IDLE_SECONDS, options.fanout_idle_seconds)
    idle_from = cpu_seconds(pid)
    await asyncio.sleep(idle_seconds)
    idle_per_s = (cpu_seconds(pid) - idle_from) / idle_seconds
    started, cpu_from = time.monotonic(), cpu_seconds(pid)
    for i in range(rounds):
        kind = "hold" if i % 2 == 0 else "release"
        reply = await actor.request({"type": kind, "seat_ids": seat_ids})
        if reply["type"] != f"{kind}.ok":
            raise RuntimeError(f"click rounds: {kind} answered {reply}")
        version += 1
        await asyncio.sleep(ROUND_PAUSE)
    cpu = cpu_seconds(pid) - cpu_from
    net = max(0.0, cpu - idle_per_s * (time.monotonic() - started))
    return net / rounds, version


async def _open(pool) -> int:
    return (await pool.stats())["open"]


def ratios(runs: list[dict], sizes: list[int]) -> list[dict]:
    """ours/floor and standard/ours at each N, per layer setup (p50 and p99)."""

    def get(system: str, layer: str, n: int) -> dict:
        for run_ in runs:
            if run_["system"] == system and run_["layer"] == layer:
                for row in run_["sizes"]:
                    if row["n"] == n:
                        return row
        return {}

    rows = []
    for n in sizes:
        for layer, floor_layer, standard_layer in (
            ("memory", "memory", "memory"),
            ("redis-core", "redis", "redis-core"),
            ("redis-pubsub", "redis", "redis-core"),
        ):
            ours = get("ours", layer, n)
            floor = get("floor", floor_layer, n)
            plain = get("floor", "memory", n)
            standard = get("standard", standard_layer, n)
            per_socket = get("ours-per-socket", layer, n)
            rows.append(
                {
                    "n": n,
                    "layer": layer,
                    "ours_over_floor_p50": ratio(
                        ours.get("p50_ms"), floor.get("p50_ms")
                    ),
                    "ours_over_floor_p99": ratio(
                        ours.get("p99_ms"), floor.get("p99_ms")
                    ),
                    "ours_over_plain_floor_p50": ratio(
                        ours.get("p50_ms"), plain.get("p50_ms")
                    ),
                    "ours_over_floor_cpu": ratio(
                        ours.get("cpu_us_per_frame"), floor.get("cpu_us_per_frame")
                    ),
                    "ours_over_floor_cpu_net": ratio(
                        ours.get("cpu_us_per_frame_net"),
                        floor.get("cpu_us_per_frame_net"),
                    ),
                    "ours_over_floor_cpu_fanout": ratio(
                        ours.get("cpu_us_per_frame_fanout"),
                        floor.get("cpu_us_per_frame_fanout"),
                    ),
                    "per_socket_over_ours_cpu": ratio(
                        per_socket.get("cpu_us_per_frame"), ours.get("cpu_us_per_frame")
                    ),
                    "standard_over_ours_cpu": ratio(
                        standard.get("cpu_us_per_frame"), ours.get("cpu_us_per_frame")
                    ),
                    "standard_over_ours_p50": ratio(
                        standard.get("p50_ms"), ours.get("p50_ms")
                    ),
                    "standard_over_ours_p99": ratio(
                        standard.get("p99_ms"), ours.get("p99_ms")
                    ),
                }
            )
    return rows
