"""Table rows of the repeated scenarios (contention, on-sale).

Each figure is the median over the runs with its spread (min–max). A
verdict is "met" only when the median meets the target, the scenario ran
at least `RUNS_TO_CALL` times and no run had errors, lost clients, clients
out of step or double holds; a missed target says by how much.
"""

from __future__ import annotations

import statistics

RUNS_TO_CALL = 3


def ms(value) -> str:
    """Milliseconds as the tables print them: whole from 100 on, else one decimal."""
    if value is None:
        return "-"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _spread(figure: dict, unit: str = "", fmt=ms) -> str:
    if figure["median"] is None:
        return "-"
    if figure["min"] == figure["max"]:
        return f"{fmt(figure['median'])}{unit}"
    return f"{fmt(figure['median'])}{unit} ({fmt(figure['min'])}–{fmt(figure['max'])})"


def _count(value) -> str:
    return "-" if value is None else f"{value:,.0f}"


def failures(run: dict) -> list[str]:
    """What makes a run's figures unusable, whatever they are."""
    problems = []
    if run["errors"]:
        problems.append(f"errors {run['errors']}")
    if run["lost_clients"]:
        problems.append(f"{run['lost_clients']} clients lost")
    if run["client_audit"]["out_of_step"]:
        problems.append(f"{run['client_audit']['out_of_step']} clients out of step")
    activity = run["audit"]  # None for the floor without a database
    if activity and (activity["double_holds"] or activity["wrong_holder"]):
        problems.append("double holds")
    return problems


def verdict(scenario: dict, ok: bool | None, by: str = "") -> str:
    """met / MISSED (by how much) / unconfirmed (too few runs) / failed runs."""
    if scenario["failures"]:
        problems = "; ".join(sorted(set(scenario["failures"])))
        return f"MISSED (run failed: {problems})"
    if ok is None:
        return "-"
    if not ok:
        return f"MISSED{' by ' + by if by else ''}"
    if len(scenario["runs"]) < RUNS_TO_CALL:
        return f"met once (needs {RUNS_TO_CALL} runs)"
    return "met"


def _over(value, limit) -> str:
    return f"{value / limit:.1f}×" if value and limit else ""


def _audit_cell(runs: list[dict]) -> str:
    clients = [r["client_audit"] for r in runs]
    behind = sum(a["out_of_step"] for a in clients)
    missing = sum(a["missing_versions"] for a in clients)
    order = sum(a["out_of_order_frames"] for a in clients)
    in_step = sum(a["in_step"] for a in clients)
    return (
        f"{in_step:,} of {sum(a['clients'] for a in clients):,}"
        f" sockets in step over {len(runs)} runs ({behind} behind, {missing} versions"
        f" missing, {order} frames out of order)"
    )


def contention_rows(c: dict) -> list[tuple]:
    first = c["runs"][0]
    setup = f"{first['clickers']} clients, 2 workers, {first['seats']} seats"
    s = c["summary"]
    changes = s["changes_per_s"]["median"]
    p99 = s["rtt_p99_ms"]["median"]
    rows = [
        (
            "3 contention",
            setup,
            f"holds + releases /s, median of {len(c['runs'])} (spread)",
            _spread(s["changes_per_s"], "/s", _count)
            + f"; with conflict answers {_spread(s['answers_per_s'], '/s', _count)}",
            "≥ 1,000/s",
            verdict(c, changes >= 1000, _over(1000, changes)),
        ),
        (
            "3 contention",
            setup,
            "round trip p50 / p99",
            f"{_spread(s['rtt_p50_ms'])} / {_spread(s['rtt_p99_ms'])} ms",
            "p99 ≤ 50 ms",
            verdict(c, p99 is not None and p99 <= 50, _over(p99, 50)),
        ),
        _closed_loop_row(c, setup),
        (
            "3 contention",
            setup,
            "frames per client per second",
            _spread(s["frames_per_client_per_s"], "", _count),
            "bounded by the window",
            "-",
        ),
        (
            "3 contention",
            setup,
            "every client in step",
            _audit_cell(c["runs"]),
            "all",
            verdict(c, all(not r["client_audit"]["out_of_step"] for r in c["runs"])),
        ),
        (
            "3 contention",
            setup,
            "double holds (activity replayed)",
            ", ".join(str(r["audit"]["double_holds"]) for r in c["runs"]),
            "0",
            verdict(c, all(r["audit"]["double_holds"] == 0 for r in c["runs"])),
        ),
    ]
    return (
        rows
        + _before_rows("3 contention", c, setup)
        + _contention_floor_rows(c, setup)
        + _paced_contention_rows(c)
    )


def _paced(result: dict) -> str:
    first = result["runs"][0]
    offered = first["pace"] * first["clickers"]
    return (
        f"{first['clickers']} clients each acting {first['pace']:g}/s on its own "
        f"schedule (offered {offered:,.0f} answers/s)"
    )


def _paced_contention_rows(c: dict) -> list[tuple]:
    """The round trip at an offered rate: what the p99 target can be judged on."""
    paced = c.get("paced")
    if not paced:
        return []
    first = paced["runs"][0]
    offered = first["pace"] * first["clickers"]
    s = paced["summary"]
    p99 = s["rtt_p99_ms"]["median"]
    answers = s["answers_per_s"]["median"]
    # An open loop answers what it is offered, late if it must: the rate is
    # only kept if the answers came within the run's time.
    kept = answers is not None and answers >= 0.97 * offered
    setup = _paced(paced)
    rows = [
        (
            "3 contention",
            setup,
            f"answers /s · round trip p50 / p99, from when each click was due; "
            f"median of {len(paced['runs'])} (spread)",
            f"{_spread(s['answers_per_s'], '/s', _count)} · "
            f"{_spread(s['rtt_p50_ms'])} / {_spread(s['rtt_p99_ms'])} ms",
            "≥ 1,000/s with p99 ≤ 50 ms",
            verdict(
                paced,
                offered >= 1000 and kept and p99 is not None and p99 <= 50,
                _over(p99, 50) if kept else f"{offered / (answers or 1):.2f}× in rate",
            ),
        ),
        (
            "3 contention",
            setup,
            "every client in step · double holds",
            f"{_audit_cell(paced['runs'])} · "
            + ", ".join(str(r["audit"]["double_holds"]) for r in paced["runs"]),
            "all · 0",
            verdict(
                paced,
                all(
                    not r["client_audit"]["out_of_step"]
                    and r["audit"]["double_holds"] == 0
                    for r in paced["runs"]
                ),
            ),
        ),
    ]
    return rows + _contention_floor_rows(paced, setup)


def server_ms_per_answer(run: dict) -> float:
    """The servers' own CPU (both workers or floor processes) per answer."""
    answers = run["answers_per_s"] * run["elapsed_seconds"]
    return sum(run["worker_cpu_seconds"]) * 1000 / max(1.0, answers)


def _contention_floor_rows(c: dict, setup: str) -> list[tuple]:
    """The same runs against the floor with our database: the same click
    functions, called as our workers call them, with none of the rest."""
    floor = c.get("floor")
    if floor is None:
        return []
    p99 = floor["rtt"]["p99_ms"]
    if floor["pace"]:
        offered = floor["pace"] * floor["clickers"]
        kept = floor["answers_per_s"] >= 0.97 * offered
        reached = offered >= 1000 and kept and p99 is not None and p99 <= 50
        target = "≥ 1,000/s with p99 ≤ 50 ms"
    else:
        reached = floor["changes_per_s"] >= 1000
        target = "≥ 1,000 holds + releases /s"
    ours = statistics.median(server_ms_per_answer(r) for r in c["runs"])
    audit = floor["client_audit"]
    failed = failures(floor)
    return [
        (
            "3 contention",
            f"{setup}; the floor with our database (2 plain `websockets` "
            "processes calling our click functions on asyncpg, the clicks "
            "that come while one is out in one call, Redis pub/sub, 50 ms "
            "window)",
            "holds + releases /s · answers /s · round trip p50 / p99 · machine "
            "CPU per answer · servers' CPU per answer (ours, median) · in step · "
            "double holds",
            f"{_count(floor['changes_per_s'])}/s · "
            f"{_count(floor['answers_per_s'])}/s · {ms(floor['rtt']['p50_ms'])} / "
            f"{ms(p99)} ms · {floor['machine_cpu_ms_per_answer']:.2f} ms · "
            f"{server_ms_per_answer(floor):.2f} ms ({ours:.2f} ms) · "
            f"{audit['in_step']:,} of {audit['clients']:,} · "
            f"{floor['audit']['double_holds']}",
            target,
            f"floor run failed: {'; '.join(failed)}"
            if failed
            else "within reach"
            if reached
            else "out of reach for a Python server making our database calls "
            "beside this generator",
        )
    ]


def _closed_loop_row(c: dict, setup: str) -> tuple:
    """What the machine allows the round trip: each client waits for its
    answer before clicking again, so the mean round trip is the clients
    over the answers per second (Little's law), whatever the server does;
    the machine's CPU per answer caps the answers per second."""
    s = c["summary"]
    first = c["runs"][0]
    clients, cores = first["clickers"], first.get("cores")
    answers = s["answers_per_s"]["median"]
    cpu = s.get("machine_cpu_ms_per_answer", {}).get("median")
    if not answers or not cpu or not cores:
        return ("3 contention", setup, "closed loop", "-", "-", "-")
    ceiling = cores * 1000 / cpu
    needed = clients / 0.050  # answers/s for a mean round trip of 50 ms
    return (
        "3 contention",
        setup,
        "closed loop: clients ÷ answers/s (measured mean) · machine CPU per "
        "answer, all processes · the most answers/s its cores allow",
        f"{clients / answers * 1000:.0f} ms ({_spread(s['rtt_mean_ms'])} ms) · "
        f"{_spread(s['machine_cpu_ms_per_answer'], ' ms', lambda v: f'{v:.2f}')} · "
        f"{ceiling:,.0f}/s on {cores} cores",
        f"p99 ≤ 50 ms needs a mean under 50 ms: ≥ {needed:,.0f} answers/s for "
        f"{clients} clients, ≤ {cores * 1000 / needed:.2f} ms of CPU per answer",
        "-",
    )


LAG_MEASURE = (
    "broadcast lag p50 / p99 (commit to the last watcher's socket); "
    "frames' wait to be read by the generator, p99"
)


def _lag_cell(s: dict) -> str:
    return (
        f"{_spread(s['lag_p50_ms'])} / {_spread(s['lag_p99_ms'])} ms; "
        f"{_spread(s['read_delay_p99_ms'])} ms"
    )


def onsale_rows(o: dict) -> list[tuple]:
    first = o["runs"][0]
    setup = (
        f"{first['watchers']:,} watchers + {first['clickers']} clickers, "
        f"{first['seats']:,} seats"
    )
    s = o["summary"]
    hold_p99 = s["hold_rtt_p99_ms"]["median"]
    lag_p99 = s["lag_p99_ms"]["median"]
    seconds = first["elapsed_seconds"]
    rows = [
        (
            "3b on-sale",
            setup,
            f"answers /s, median of {len(o['runs'])} (spread)",
            _spread(s["answers_per_s"], "/s", _count),
            "-",
            "-",
        ),
        (
            "3b on-sale",
            setup,
            "hold round trip p50 / p99",
            f"{_spread(s['hold_rtt_p50_ms'])} / {_spread(s['hold_rtt_p99_ms'])} ms",
            "p99 ≤ 100 ms",
            verdict(o, hold_p99 is not None and hold_p99 <= 100, _over(hold_p99, 100)),
        ),
        (
            "3b on-sale",
            setup,
            LAG_MEASURE,
            _lag_cell(s),
            "p99 ≤ 250 ms",
            verdict(o, lag_p99 is not None and lag_p99 <= 250, _over(lag_p99, 250)),
        ),
        (
            "3b on-sale",
            setup,
            "frames per watcher per second",
            _spread(s["frames_per_watcher_per_s"], "", _count),
            "bounded by the window",
            "-",
        ),
        (
            "3b on-sale",
            setup,
            "every client in step",
            _audit_cell(o["runs"]),
            "all",
            verdict(o, all(not r["client_audit"]["out_of_step"] for r in o["runs"])),
        ),
        (
            "3b on-sale",
            setup,
            "load generator CPU (s per s of run)",
            _spread(
                {
                    k: v / seconds if v is not None else None
                    for k, v in s["generator_cpu_seconds"].items()
                },
                "",
                lambda v: f"{v:.2f}",
            ),
            "-",
            "-",
        ),
    ]
    return (
        rows
        + _before_rows("3b on-sale", o, setup)
        + _floor_rows(o, setup)
        + _paced_onsale_rows(o)
    )


def _paced_onsale_rows(o: dict) -> list[tuple]:
    """The same watchers while the clickers click at a person's pace."""
    paced = o.get("paced")
    if not paced:
        return []
    first = paced["runs"][0]
    s = paced["summary"]
    hold_p99 = s["hold_rtt_p99_ms"]["median"]
    lag_p99 = s["lag_p99_ms"]["median"]
    setup = f"{first['watchers']:,} watchers + {_paced(paced)}"
    seconds = first["elapsed_seconds"]
    rows = [
        (
            "3b on-sale",
            setup,
            "answers /s · hold round trip p50 / p99, from when each click was "
            f"due; median of {len(paced['runs'])} (spread)",
            f"{_spread(s['answers_per_s'], '/s', _count)} · "
            f"{_spread(s['hold_rtt_p50_ms'])} / {_spread(s['hold_rtt_p99_ms'])} ms",
            "p99 ≤ 100 ms",
            verdict(
                paced, hold_p99 is not None and hold_p99 <= 100, _over(hold_p99, 100)
            ),
        ),
        (
            "3b on-sale",
            setup,
            LAG_MEASURE,
            _lag_cell(s),
            "p99 ≤ 250 ms",
            verdict(paced, lag_p99 is not None and lag_p99 <= 250, _over(lag_p99, 250)),
        ),
        (
            "3b on-sale",
            setup,
            "every client in step · load generator CPU (s per s of run)",
            f"{_audit_cell(paced['runs'])} · "
            + _spread(
                {
                    k: v / seconds if v is not None else None
                    for k, v in s["generator_cpu_seconds"].items()
                },
                "",
                lambda v: f"{v:.2f}",
            ),
            "all",
            verdict(
                paced, all(not r["client_audit"]["out_of_step"] for r in paced["runs"])
            ),
        ),
    ]
    return rows + _before_rows("3b on-sale", paced, setup) + _floor_rows(paced, setup)


def _floor_rows(o: dict, setup: str) -> list[tuple]:
    """The same shape against the floor: plain `websockets`, no database."""
    floor = o.get("floor")
    if floor is None:
        return []
    hold, lag = floor["hold_rtt"]["p99_ms"], floor["broadcast_lag"]["p99_ms"]
    seconds = floor["elapsed_seconds"]
    audit = floor["client_audit"]
    reach = (
        "within reach"
        if hold is not None and hold <= 100 and lag is not None and lag <= 250
        else "out of reach for a Python broadcast beside this generator"
    )
    return [
        (
            "3b on-sale",
            f"{setup}; the floor (2 plain `websockets` processes over Redis, "
            "no database, 50 ms window)",
            "answers /s · hold p99 · lag p99 · frames per watcher per second · "
            "generator CPU (s per s) · in step",
            f"{_count(floor['answers_per_s'])}/s · {ms(hold)} ms · {ms(lag)} ms · "
            f"{_count(floor['frames_per_watcher_per_s'])} · "
            f"{floor['generator_cpu_seconds'] / seconds:.2f} · "
            f"{audit['in_step']:,} of {audit['clients']:,}",
            "hold p99 ≤ 100 ms, lag p99 ≤ 250 ms",
            reach,
        )
    ]


def _before_rows(scenario: str, result: dict, setup: str) -> list[tuple]:
    """One row per change undone: its run next to the median of the runs."""
    out = []
    s = result["summary"]
    for label, run in result.get("before", {}).items():
        rtt = run.get("hold_rtt") if "hold_rtt_p99_ms" in s else run["rtt"]
        p99_now = (s.get("hold_rtt_p99_ms") or s.get("rtt_p99_ms"))["median"]
        frames_key = (
            "frames_per_watcher_per_s"
            if "frames_per_watcher_per_s" in s
            else "frames_per_client_per_s"
        )
        out.append(
            (
                scenario,
                setup,
                f"before/after: {label}",
                f"{_count(run['answers_per_s'])} → "
                f"{_count(s['answers_per_s']['median'])} answers/s; p99 "
                f"{ms(rtt['p99_ms'])} → {ms(p99_now)} ms; "
                f"{_count(run[frames_key])} → {_count(s[frames_key]['median'])} "
                f"frames/socket/s; lag p99 {ms(run['broadcast_lag']['p99_ms'])} → "
                f"{ms(s['lag_p99_ms']['median'])} ms",
                "-",
                "-",
            )
        )
    return out
