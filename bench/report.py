"""The one results table, the machine description, and BENCHMARKS.md's update.

BENCHMARKS.md keeps its hand-written analysis: only the part between the
`bench:results` markers is rewritten by a run.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

from bench import report_clicking
from bench.report_clicking import ms

START = "<!-- bench:results:start (written by python -m bench.run) -->"
END = "<!-- bench:results:end -->"
# Fan-out: the server's CPU per delivered frame no more than the plain
# `websockets` floor's from 1,000 sockets (framing once should make us no
# dearer than a plain broadcast), and p99 within 1.5× at 5,000.
FANOUT_TARGET = 1.0
FANOUT_TARGET_N = 1000
FANOUT_P99_TARGET = 1.5
FANOUT_P99_N = 5000


def machine() -> dict:
    """Cores, memory, CPU, Python, packages and backend versions of this run."""
    import psutil

    info = {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": _cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {
            name: _version(name)
            for name in (
                "Django",
                "channels",
                "daphne",
                "channels-redis",
                "redis",
                "Twisted",
                "websockets",
                "psycopg",
            )
        },
    }
    try:
        import psycopg

        from bench.servers import PG_ADMIN_URL

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:
        info["postgresql"] = f"unreachable ({error.__class__.__name__})"
    try:
        import redis

        from bench.servers import REDIS_URL

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        info["redis"] = client.info("server")["redis_version"]
        client.close()
    except Exception as error:
        info["redis"] = f"unreachable ({error.__class__.__name__})"
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


# -- the table ----------------------------------------------------------------


def rows(results: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(scenario, setup, measure, result, target, verdict) for every figure."""
    out: list[tuple[str, str, str, str, str, str]] = []
    scenarios = results["scenarios"]
    if "fanout" in scenarios:
        out += _fanout_rows(scenarios["fanout"])
    if "expiry" in scenarios:
        out += _expiry_rows(scenarios["expiry"])
    if "contention" in scenarios:
        out += report_clicking.contention_rows(scenarios["contention"])
    if "onsale" in scenarios:
        out += report_clicking.onsale_rows(scenarios["onsale"])
    if "sweep" in scenarios:
        out += _sweep_rows(scenarios["sweep"])
    if "statements" in scenarios:
        out += _statement_rows(scenarios["statements"])
    if "idle" in scenarios:
        out += _idle_rows(scenarios["idle"])
    if "memory" in scenarios:
        out += _memory_rows(scenarios["memory"])
    if "storm" in scenarios:
        out += _storm_rows(scenarios["storm"])
    if "queue" in scenarios:
        out += _queue_rows(scenarios["queue"])
    for name in results.get("failures", {}):
        out.append((name, "-", "run", "FAILED (see JSON)", "-", "missed"))
    return out


def _x(value) -> str:
    return "-" if value is None else f"{value:.2f}×"


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "MISSED")


def _fanout_rows(fanout: dict) -> list[tuple]:
    out = []
    for run in fanout["runs"]:
        for size in run["sizes"]:
            lost = f", {size['lost_rounds']} lost" if size["lost_rounds"] else ""
            out.append(
                (
                    "1 fan-out",
                    f"{run['system']} / {run['layer']}",
                    f"N={size['n']}: p50 / p99 ({size['count']} samples{lost})"
                    " · server CPU per frame (net of idle; and of the clicks)",
                    f"{ms(size['p50_ms'])} / {ms(size['p99_ms'])} ms · "
                    f"{_us(size.get('cpu_us_per_frame'))} "
                    f"({_us(size.get('cpu_us_per_frame_net'))}; "
                    f"{_us(size.get('cpu_us_per_frame_fanout'))})",
                    "",
                    "",
                )
            )
    for r in fanout["ratios"]:
        cpu, p50, p99 = (
            r.get("ours_over_floor_cpu"),
            r["ours_over_floor_p50"],
            r["ours_over_floor_p99"],
        )
        target, ok = "", None
        if r["n"] >= FANOUT_TARGET_N and cpu is not None:
            target, ok = f"CPU ≤ {FANOUT_TARGET}×", cpu <= FANOUT_TARGET
            if r["n"] >= FANOUT_P99_N and p99 is not None:
                target += f", p99 ≤ {FANOUT_P99_TARGET}×"
                ok = ok and p99 <= FANOUT_P99_TARGET
        out.append(
            (
                "1 fan-out",
                f"ratios / {r['layer']}",
                f"N={r['n']}: ours/floor CPU per frame (net of idle; and of the "
                "clicks), p50, p99 · standard/ours CPU, p50, p99",
                f"{_x(cpu)} ({_x(r.get('ours_over_floor_cpu_net'))}; "
                f"{_x(r.get('ours_over_floor_cpu_fanout'))}), "
                f"{_x(p50)}, {_x(p99)} · "
                f"{_x(r.get('standard_over_ours_cpu'))}, "
                f"{_x(r['standard_over_ours_p50'])}, {_x(r['standard_over_ours_p99'])}",
                target,
                _verdict(ok),
            )
        )
    return out


def _us(value) -> str:
    return "-" if value is None else f"{value:.1f} µs"


def _expiry_rows(expiry: dict) -> list[tuple]:
    ours, old = expiry["ours"], expiry["polling"]
    poll_only = expiry["poll_only"]

    def s(value) -> str:
        return "-" if value is None else f"{value:.2f}"

    missing = f", {expiry['missing']} never seen" if expiry["missing"] else ""
    ok = ours["p99_s"] is not None and ours["p99_s"] <= 1.0 and not expiry["missing"]
    return [
        (
            "2 expiry",
            "ours, sweeper 1 s",
            f"{expiry['holds']} holds: p50 / p99 / max{missing}",
            f"{s(ours['p50_s'])} / {s(ours['p99_s'])} / {s(ours['max_s'])} s",
            "p99 ≤ 1 s",
            _verdict(ok),
        ),
        (
            "2 expiry",
            "polling: sweep 60 s, poll 3 s",
            "p50 / p99 / max (simulated)",
            f"{s(old['p50_s'])} / {s(old['p99_s'])} / {s(old['max_s'])} s",
            "",
            "",
        ),
        (
            "2 expiry",
            "ratio",
            "polling / ours, p50 · p99",
            f"{_x(expiry['polling_over_ours_p50'])} · "
            f"{_x(expiry['polling_over_ours_p99'])}",
            "",
            "",
        ),
        (
            "2 expiry",
            "poll 3 s only (status from time)",
            "p50 / p99 / max (simulated)",
            f"{s(poll_only['p50_s'])} / {s(poll_only['p99_s'])} / "
            f"{s(poll_only['max_s'])} s",
            "",
            "",
        ),
    ]


def _sweep_rows(sweep: dict) -> list[tuple]:
    out = []
    for run in sweep["runs"]:
        messages = run["layer_messages"]
        per_event = messages.get("event", 0)
        ok = (
            run["wall_ms"] <= 1000
            and per_event == run["events"]
            and run["released"] == run["holds"]
        )
        out.append(
            (
                "4 sweep",
                f"{run['backend']} + {run['layer']}",
                f"{run['released']} of {run['holds']} holds, {run['events']} events: "
                "wall time · event-group messages (+ staff)",
                f"{run['wall_ms']:.0f} ms · {per_event} (+{messages.get('staff', 0)})",
                "≤ 1 s, 1 per event",
                _verdict(ok),
            )
        )
    return out


def _statement_rows(statements: dict) -> list[tuple]:
    out = []
    for run in statements["runs"]:
        counts = run["counts"]
        out.append(
            (
                "4b statements",
                run["backend"],
                "SQL statements per operation (savepoints, BEGIN, COMMIT not counted)",
                " · ".join(f"{name} {count}" for name, count in counts.items()),
                "no growth (tests/seats/test_statement_counts.py)",
                "-",
            )
        )
        cpu = run.get("cpu")
        if cpu:
            database = cpu.get("database_ms")
            out.append(
                (
                    "4b statements",
                    run["backend"],
                    f"CPU per hold or release ({cpu['pairs']} pairs, one thread, "
                    "committed): this process · its PostgreSQL backend",
                    f"{cpu['process_ms']:.2f} ms"
                    + (f" · {database:.2f} ms" if database is not None else ""),
                    "",
                    "",
                )
            )
    return out


def _idle_rows(idle: dict) -> list[tuple]:
    ours, polling = idle["ours"], idle["polling"]
    window = f"{idle['clients']} clients, {idle['window_seconds']:g} s"
    return [
        (
            "5 idle",
            f"ours: {window}",
            "server CPU · requests served",
            f"{ours['cpu_seconds']:.2f} s · {ours['requests_served']}",
            "",
            "",
        ),
        (
            "5 idle",
            f"polling {polling['interval_seconds']:g} s: {window}",
            "server CPU · requests served (scheduled)",
            f"{polling['cpu_seconds']:.2f} s · {polling['requests_served']} "
            f"({polling['requests_scheduled']})",
            "",
            "",
        ),
        (
            "5 idle",
            "ratio",
            "polling / ours CPU",
            _x(idle["polling_over_ours_cpu"]),
            "",
            "",
        ),
    ]


def _queue_rows(queue: dict) -> list[tuple]:
    setup = f"{queue['places']:,} places, {queue['sockets']:,} waiting pages"
    # The rate and the order, over the run; CPU and frames per mode.
    error = queue["rate_error"]
    rate = queue["rate_measured_per_minute"]
    return [
        (
            "7 queue",
            setup,
            "admissions per minute (setting)",
            f"{rate} ({queue['rate_setting_per_minute']})",
            "within 5 %",
            "-" if error is None else ("met" if error <= 0.05 else "missed"),
        ),
        (
            "7 queue",
            setup,
            "admitted in rank order",
            f"{queue['admitted']} admitted, order kept: {queue['order_preserved']}",
            "always",
            "met" if queue["order_preserved"] else "missed",
        ),
    ] + [
        (
            "7 queue",
            f"{setup}, {mode} frames",
            "server CPU per second: paused · admitting; "
            "frames per page per tick: own · shared",
            f"{run['server_cpu_waiting_per_s']:.3f} s · "
            f"{run['server_cpu_admitting_per_s']:.3f} s; "
            f"{run['status_frames_per_socket_per_tick']:.2f} · "
            f"{run['line_frames_per_socket_per_tick']:.2f}",
            f"admitting ≤ {queue['target_cpu_admitting_per_s']:g} s",
            _verdict(
                run["server_cpu_admitting_per_s"] <= queue["target_cpu_admitting_per_s"]
            ),
        )
        for mode, run in queue["modes"].items()
    ]


def _memory_rows(memory: dict) -> list[tuple]:
    out = []
    for size in memory["sizes"]:
        per = size["bytes_per_connection"]
        out.append(
            (
                "6 memory",
                f"ours, {size['open']} idle sockets",
                f"RSS (RSS_0 {memory['rss_0_mib']} MiB) · per connection",
                f"{size['rss_mib']} MiB · {per / 1024:.1f} KiB",
                "≤ 64 KiB",
                _verdict(per <= memory["target_bytes"]),
            )
        )
    return out


def _storm_rows(storm: dict) -> list[tuple]:
    targets = storm["targets"]
    out = []
    for mode, run in storm["modes"].items():
        met = (
            run["failed"] == 0
            and run["seconds"] <= targets["seconds"]
            and run["bytes_per_snapshot"] <= targets["bytes_per_snapshot"]
            and run["cpu_ms_per_connect"] <= targets["cpu_ms_per_connect"]
        )
        out.append(
            (
                "6b storm",
                f"{run['sockets']} sockets at once, {storm['seats']} seats, "
                f"{mode} snapshots",
                "last snapshot after · bytes per snapshot · server CPU per connect "
                "· failed",
                f"{run['seconds']} s · {run['bytes_per_snapshot']:,} B · "
                f"{run['cpu_ms_per_connect']} ms · {run['failed']}",
                f"≤ {targets['seconds']:g} s · ≤ 4 KiB · "
                f"≤ {targets['cpu_ms_per_connect']:g} ms · 0",
                _verdict(met),
            )
        )
    return out


def table(results: dict) -> str:
    header = ("scenario", "setup", "measure", "result", "target", "verdict")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows(results):
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines)


# -- BENCHMARKS.md ------------------------------------------------------------


def generated_section(results: dict, table_text: str) -> str:
    m = results["machine"]
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    lines = [
        START,
        "",
        f"Run of {results['started_at']} (UTC), {results['total_seconds']:.0f} s in "
        "total:",
        "",
        "```sh",
        results["command"],
        "```",
        "",
        f"* Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, "
        f"{m['os']}.",
        f"* Python {m['python']}; {packages}.",
        f"* Backends: SQLite (embedded default, a temporary directory per server), "
        f"PostgreSQL {m['postgresql']} and Redis {m['redis']} on 127.0.0.1.",
        "* The load generator (async Python, `websockets`, "
        f"{results['sizes']['generators']} processes plus the runner) and the "
        "servers share this machine and its cores: every figure includes the "
        "generator's own time to read the frames.",
        "",
        table_text,
        "",
    ]
    profiles = results.get("profiles") or {}
    if profiles:
        lines += ["Profiles of this run (py-spy, share of samples):", ""]
        for label, profile in profiles.items():
            own = "; ".join(f"{f} {p}%" for f, p in profile["self"][:8])
            lines.append(f"* `{label}` ({profile['samples']} samples), self: {own}")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


SKELETON = f"""# Benchmarks

`make bench` runs every scenario; `make bench-smoke` runs them all at tiny
sizes in well under a minute (and `tests/bench/test_bench_smoke.py` runs that
in the test suite). See `bench/` and `python -m bench.run --help`.

## Latest full run

{START}
{END}
"""


def write_markdown(path: Path, results: dict, table_text: str) -> None:
    text = path.read_text() if path.exists() else SKELETON
    if START not in text or END not in text:
        text = text.rstrip() + "\n\n## Latest full run\n\n" + START + "\n" + END + "\n"
    before = text.split(START, 1)[0]
    after = text.split(END, 1)[1]
    path.write_text(before + generated_section(results, table_text) + after)


if __name__ == "__main__":
    import json

    data = json.loads(Path(sys.argv[1]).read_text())
    print(table(data))
