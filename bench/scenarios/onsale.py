"""On-sale: a thousand people watch one big event while two hundred click.

One event of a 5,000-seat plan on two workers (PostgreSQL + Redis). Clickers
hold 1..4 random seats and then book them (one time in ten) or release them;
watchers only receive, as the browsers of people still looking would. What
matters: the hold's round trip, how many frames each watcher gets per
second (bounded by the broadcast window, not by the change rate), the lag
from a change's commit to the last watcher, and every client in step
(bench/scenarios/clicking.py). Repeated (median and spread), plus one run
without coalescing for the before figure, and one run of the same shape
against the floor (plain `websockets` processes, no database): what the
targets ask of a Python broadcast on this machine beside this generator.

Those runs are closed loops: each clicker clicks again the moment it has
its answer, so they measure the most answers a second, and the round trip
is the clickers over that rate. The paced runs have each clicker act at a
person's pace instead (`--onsale-pace` actions a second, each on its own
schedule): what a person's click waits while thousands watch; and the
floor once more at that pace.
"""

from __future__ import annotations

from bench.scenarios.clicking import Clicking, repeated_runs, run_floor_once

NAME = "onsale"
TITLE = "on-sale, watchers and clickers on one 5,000-seat event"

FIGURES = {
    "answers_per_s": ("answers_per_s",),
    "hold_rtt_p50_ms": ("hold_rtt", "p50_ms"),
    "hold_rtt_p99_ms": ("hold_rtt", "p99_ms"),
    "frames_per_watcher_per_s": ("frames_per_watcher_per_s",),
    "lag_p50_ms": ("broadcast_lag", "p50_ms"),
    "lag_p99_ms": ("broadcast_lag", "p99_ms"),
    "read_delay_p99_ms": ("read_delay", "p99_ms"),
    "generator_cpu_seconds": ("generator_cpu_seconds",),
}


# The paced runs' before: every window at its least, however many sockets.
PACED_BEFORE = {"window not stretched": {"SEAT_BROADCAST_WRITE_SHARE": "0"}}


def shape(
    options, env: dict[str, str] | None = None, pace: float | None = None
) -> Clicking:
    return Clicking(
        name="onsale-paced" if pace else "onsale",
        clickers=options.onsale_clickers,
        watchers=options.onsale_watchers,
        rows=-(-options.onsale_seats // 50),
        seats_per_row=50,
        seconds=options.onsale_seconds,
        max_seats=4,
        book_share=0.1,
        env=env or {},
        pace=pace,
        separate_clickers=True,
    )


async def run(ctx) -> dict:
    result = await repeated_runs(
        ctx,
        lambda env: shape(ctx.options, env),
        {"not coalesced": {"SEAT_BROADCAST_WINDOW_SECONDS": "0"}},
        FIGURES,
        _said,
    )
    # What a plain broadcast with no database reaches here, beside the same
    # load generator: whether the targets are within this machine's reach.
    ctx.progress("onsale: the floor (plain websockets over Redis, no database)")
    result["floor"] = await run_floor_once(ctx, shape(ctx.options))
    _said(ctx, result["floor"])
    if ctx.options.onsale_pace:
        pace = ctx.options.onsale_pace
        result["paced"] = await repeated_runs(
            ctx, lambda env: shape(ctx.options, env, pace), PACED_BEFORE, FIGURES, _said
        )
        # The same question at a person's pace: within this machine's reach?
        ctx.progress("onsale: the floor at the same pace")
        result["paced"]["floor"] = await run_floor_once(
            ctx, shape(ctx.options, None, pace)
        )
        _said(ctx, result["paced"]["floor"])
    return result


def _said(ctx, run: dict) -> None:
    ctx.progress(
        f"onsale: {run['answers_per_s']} answers/s, hold p99 "
        f"{run['hold_rtt']['p99_ms']} ms, {run['frames_per_watcher_per_s']} "
        f"frames/watcher/s, lag p99 {run['broadcast_lag']['p99_ms']} ms, in step "
        f"{run['client_audit']['in_step']}/{run['client_audit']['clients']}"
    )
