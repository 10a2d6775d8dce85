"""Run the benchmarks: `python -m bench.run [--smoke] [--only NAME ...] [sizes]`.

Progress goes to stderr as each scenario and size runs; the table goes to
stdout; the raw results go to JSON (bench/results/latest.json) and, for a
full run, the table, machine and commands go into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import report
from bench.context import Context
from bench.scenarios import SCENARIOS
from devtools import forking
from devtools.processes import ROOT, raise_open_files_limit

RESULTS = ROOT / "bench" / "results"


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


# Each size: (flag, default, smoke, type, help).
SIZES = [
    ("fanout_sizes", "100,1000,5000", "5,20", _ints, "fan-out: watching clients"),
    ("fanout_idle_seconds", 3.0, 0.5, float, "fan-out: idle window before rounds"),
    ("fanout_rounds", 30, 3, int, "fan-out: hold+release rounds per size"),
    ("fanout_warmup", 2, 1, int, "fan-out: unrecorded rounds per size"),
    ("fanout_click_rounds", 100, 20, int, "fan-out: rounds with no watcher"),
    ("standard_max_n", 1000, 1000, int, "fan-out: largest N for the standard pattern"),
    ("generators", 2, 2, int, "load-generator processes"),
    ("expiry_holds", 500, 20, int, "expiry: holds (one holder each)"),
    ("expiry_spread", 10.0, 1.0, float, "expiry: seconds the expiries spread over"),
    ("expiry_hold_seconds", 10, 1, int, "expiry: SEAT_HOLD_SECONDS"),
    ("contention_clients", 200, 10, int, "contention: clients over 2 workers"),
    ("contention_seats", 1000, 100, int, "contention: seats of the event"),
    ("contention_seconds", 30.0, 2.0, float, "contention: duration"),
    ("contention_max_seats", 4, 4, int, "contention: most seats per hold"),
    (
        "contention_rate",
        1000.0,
        20.0,
        float,
        "contention: answers/s offered in the paced runs (0: none)",
    ),
    ("onsale_watchers", 5000, 20, int, "on-sale: watching clients"),
    ("onsale_clickers", 200, 10, int, "on-sale: clicking clients"),
    ("onsale_seats", 5000, 200, int, "on-sale: seats of the event"),
    ("onsale_seconds", 30.0, 2.0, float, "on-sale: duration"),
    (
        "onsale_pace",
        1.0,
        1.0,
        float,
        "on-sale: actions per second of each clicker in the paced runs (0: none)",
    ),
    ("timed_runs", 3, 1, int, "contention, on-sale: repeats (median, spread)"),
    ("before_runs", 1, 1, int, "contention, on-sale: 1 adds the before runs"),
    ("cpu_pairs", 2000, 30, int, "statements: hold+release pairs timed for CPU"),
    ("sweep_events", 10, 2, int, "sweep: events"),
    ("sweep_holds", 10000, 40, int, "sweep: expired holds over all events"),
    ("idle_clients", 1000, 20, int, "idle: connected clients (and pollers)"),
    ("idle_seconds", 30.0, 1.5, float, "idle: measuring window"),
    ("poll_interval", 3.0, 1.0, float, "idle: polling design's interval"),
    ("memory_sizes", "1000,5000", "20,50", _ints, "memory: idle connections"),
    ("storm_sockets", 5000, 40, int, "storm: sockets opened at once (live snapshots)"),
    (
        "storm_full_sockets",
        500,
        20,
        int,
        "storm: sockets opened at once (full snapshots)",
    ),
    ("storm_seats", 5000, 500, int, "storm: seats of the event"),
    ("storm_rows", 50, 10, int, "storm: rows of the event"),
    ("queue_places", 10000, 100, int, "queue: places in the waiting room"),
    ("queue_sockets", 10000, 20, int, "queue: waiting pages connected"),
    ("queue_rate", 600, 120, int, "queue: admissions per minute"),
    ("queue_seconds", 20.0, 6.0, float, "queue: seconds waiting, then admitting"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--smoke", action="store_true", help="every scenario at tiny sizes (seconds)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[s.NAME for s in SCENARIOS],
        help="run only this scenario (repeatable)",
    )
    parser.add_argument("--json", type=Path, help="where the raw results go")
    parser.add_argument(
        "--markdown",
        type=Path,
        help="BENCHMARKS.md to update (default: BENCHMARKS.md for full runs of "
        "every scenario, none for --smoke or --only)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work directory (server logs)"
    )
    parser.add_argument(
        "--fanout-setups",
        type=lambda text: text.split(","),
        help="fan-out setups to run, e.g. ours/memory,floor/memory (default all)",
    )
    parser.add_argument(
        "--server-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting every server of the run gets (repeatable), e.g. "
        "SEAT_LOOP_CLICKS_PER_CALL=1 to measure a design beside another",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the servers with py-spy while they are measured",
    )
    for name, default, _, kind, text in SIZES:
        shown = ",".join(map(str, default)) if isinstance(default, list) else default
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=kind,
            default=None,
            help=f"{text} (default {shown})",
        )
    options = parser.parse_args(argv)
    for name, default, smoke, kind, _ in SIZES:
        if getattr(options, name) is None:
            chosen = smoke if options.smoke else default
            setattr(options, name, kind(chosen) if isinstance(chosen, str) else chosen)
    if options.json is None:
        options.json = RESULTS / ("smoke.json" if options.smoke else "latest.json")
    if options.markdown is None and not options.smoke and not options.only:
        options.markdown = ROOT / "BENCHMARKS.md"
    return options


async def run_all(options: argparse.Namespace, argv: list[str]) -> dict:
    chosen = [s for s in SCENARIOS if not options.only or s.NAME in options.only]
    started = time.time()
    results = {
        "machine": report.machine(),
        "command": ("python -m bench.run " + shlex.join(argv)).strip(),
        "smoke": options.smoke,
        "sizes": {name: getattr(options, name) for name, *_ in SIZES},
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "scenarios": {},
        "failures": {},
    }
    with tempfile.TemporaryDirectory(prefix="seats-bench-") as work:
        if options.keep:
            work = tempfile.mkdtemp(prefix="seats-bench-kept-")
            print(f"work directory: {work}", file=sys.stderr)
        ctx = Context(options, Path(work))
        try:
            await _run_scenarios(ctx, chosen, results)
        finally:
            ctx.close()
        results["profiles"] = ctx.profiles
    results["total_seconds"] = round(time.time() - started, 1)
    return results


async def _run_scenarios(ctx: Context, chosen: list, results: dict) -> None:
    """Each scenario in turn; one that fails is recorded and the rest go on."""
    for scenario in chosen:
        ctx.progress(f"== {scenario.NAME}: {scenario.TITLE}")
        began = time.monotonic()
        try:
            outcome = await scenario.run(ctx)
        except Exception:
            ctx.progress(f"!! {scenario.NAME} failed")
            traceback.print_exc(file=sys.stderr)
            results["failures"][scenario.NAME] = traceback.format_exc()
            continue
        outcome["seconds"] = round(time.monotonic() - began, 1)
        results["scenarios"][scenario.NAME] = outcome
        ctx.progress(f"== {scenario.NAME} done in {outcome['seconds']:.0f}s")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    options = parse_args(argv)
    raise_open_files_limit()
    if options.smoke:
        # A check that the harness runs, not a measurement: its servers and
        # commands start by fork, as the test suite's do. Measured runs
        # start theirs as a deployment does.
        forking.enable()
    results = asyncio.run(run_all(options, argv))
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(results, indent=2) + "\n")
    table = report.table(results)
    print(table)
    print(f"\nraw results: {options.json}", file=sys.stderr)
    if options.markdown is not None and not results["failures"]:
        report.write_markdown(options.markdown, results, table)
        print(f"updated {options.markdown}", file=sys.stderr)
    return 1 if results["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
