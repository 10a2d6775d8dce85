"""Contention: many clients over two workers fighting for the seats of one event.

Each client holds 1..4 random seats of a small event; when that works it
releases them; then again, until the time is up. Every client also receives
every broadcast (bench/scenarios/clicking.py has the run and its audits).
The run is repeated (median and spread), and run once more with each change
of the on-sale work undone, for the before/after figures: broadcasts not
coalesced, the sockets' database work on one thread per worker, and each
click sent alone (not in turn with the event's other clicks).

Those runs are closed loops (each client clicks again once answered): they
find the most answers a second, and their round trip is the clients over
that rate, whatever the server does. The paced runs offer a fixed rate
instead (`--contention-rate`, spread over the same clients, each on its own
schedule): their round trip is what a click waits at that load.

Each is also run once against the floor with our database (two plain
`websockets` processes calling our click functions as our workers do,
bench/baselines/floor_clicks.py): what a Python server making
the same database calls reaches on this machine beside the same generator,
and so whether the targets are within this machine's reach at all.
"""

from __future__ import annotations

from bench.scenarios.clicking import Clicking, repeated_runs, run_floor_once

NAME = "contention"
TITLE = "contention, 2 workers on PostgreSQL + Redis"

# Each "before" run undoes one change by its setting.
BEFORE = {
    "not coalesced": {"SEAT_BROADCAST_WINDOW_SECONDS": "0"},
    "one database thread": {"SEAT_DB_THREADS": "1"},
    "each click alone": {"SEAT_LOOP_CLICKS_PER_CALL": "1"},
}
FIGURES = {
    "answers_per_s": ("answers_per_s",),
    "changes_per_s": ("changes_per_s",),
    "rtt_p50_ms": ("rtt", "p50_ms"),
    "rtt_p99_ms": ("rtt", "p99_ms"),
    "frames_per_client_per_s": ("frames_per_client_per_s",),
    "lag_p99_ms": ("broadcast_lag", "p99_ms"),
    "rtt_mean_ms": ("rtt", "mean_ms"),
    "machine_cpu_ms_per_answer": ("machine_cpu_ms_per_answer",),
}


def shape(
    options, env: dict[str, str] | None = None, pace: float | None = None
) -> Clicking:
    return Clicking(
        name="contention-paced" if pace else "contention",
        clickers=options.contention_clients,
        watchers=0,
        rows=-(-options.contention_seats // 20),
        seats_per_row=20,
        seconds=options.contention_seconds,
        max_seats=options.contention_max_seats,
        env=env or {},
        pace=pace,
    )


async def run(ctx) -> dict:
    options = ctx.options
    result = await repeated_runs(
        ctx, lambda env: shape(options, env), BEFORE, FIGURES, _said
    )
    ctx.progress("contention: the floor with our database")
    result["floor"] = await run_floor_once(ctx, shape(options), database=True)
    _said(ctx, result["floor"])
    if options.contention_rate:
        pace = options.contention_rate / options.contention_clients
        result["paced"] = await repeated_runs(
            ctx, lambda env: shape(options, env, pace), {}, FIGURES, _said
        )
        ctx.progress("contention: the floor with our database at the same pace")
        result["paced"]["floor"] = await run_floor_once(
            ctx, shape(options, None, pace), database=True
        )
        _said(ctx, result["paced"]["floor"])
    return result


def _said(ctx, run: dict) -> None:
    ctx.progress(
        f"contention: {run['answers_per_s']} answers/s, p99 {run['rtt']['p99_ms']} ms,"
        f" {run['frames_per_client_per_s']} frames/client/s, "
        f"in step {run['client_audit']['in_step']}/{run['client_audit']['clients']},"
        f" double holds {run['audit']['double_holds']}"
    )
