"""`make bench-smoke` in the suite, so the benchmark harness cannot rot.

Runs `python -m bench.run --smoke` (every scenario at tiny sizes, real servers,
PostgreSQL and Redis) and checks that each scenario produced sane figures.
Only counts and orderings are asserted, never absolute times.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.scenarios import SCENARIOS
from bench.servers import ROOT


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    assert "| scenario |" in done.stdout, "the table goes to stdout"
    assert "==" in done.stderr, "progress goes to stderr"
    return json.loads(out.read_text())


def _ordered(summary: dict) -> None:
    assert summary["count"] > 0
    assert 0 <= summary["p50_ms"] <= summary["p99_ms"] <= summary["max_ms"]


pytestmark = pytest.mark.timeout(300)


def test_every_scenario_has_a_result(smoke):
    assert smoke["failures"] == {}
    assert set(smoke["scenarios"]) == {s.NAME for s in SCENARIOS}
    machine = smoke["machine"]
    assert machine["cores"] >= 1 and machine["memory_gib"] > 0


def test_fanout_measured_every_setup_and_size(smoke):
    fanout = smoke["scenarios"]["fanout"]
    setups = {(r["system"], r["layer"]) for r in fanout["runs"]}
    assert {("floor", "memory"), ("ours", "memory"), ("standard", "memory")} <= setups
    assert {("ours", "redis-core"), ("ours", "redis-pubsub")} <= setups
    sizes = smoke["sizes"]
    for run in fanout["runs"]:
        largest = sizes["standard_max_n"] if run["system"] == "standard" else 10**9
        wanted = [n for n in sizes["fanout_sizes"] if n <= largest]
        assert [s["n"] for s in run["sizes"]] == wanted
        for size in run["sizes"]:
            assert size["watchers"] == size["n"], run
            assert size["lost_rounds"] == 0, run
            assert size["count"] == 2 * smoke["sizes"]["fanout_rounds"]
            _ordered(size)
    assert all(r["ours_over_floor_p50"] > 0 for r in fanout["ratios"])


def test_expiry_saw_every_seat_freed_after_its_time(smoke):
    expiry = smoke["scenarios"]["expiry"]
    assert expiry["holds"] > 0 and expiry["missing"] == 0
    assert expiry["early"] == 0, "a seat was announced free before its held_until"
    ours, polling = expiry["ours"], expiry["polling"]
    assert 0 <= ours["p50_s"] <= ours["p99_s"] <= ours["max_s"]
    assert polling["p50_s"] <= polling["p99_s"] <= polling["max_s"]


def test_contention_never_double_holds(smoke):
    contention = smoke["scenarios"]["contention"]
    assert contention["holds"] > 0 and contention["releases"] > 0
    assert contention["errors"] == {} and contention["lost_clients"] == 0
    _ordered(contention["rtt"])
    audit = contention["audit"]
    assert audit["rows"] > 0
    assert audit["double_holds"] == 0 and audit["wrong_holder"] == 0
    assert audit["held_at_end"] == 0
    assert (
        contention["broadcast_frames_received"]
        == (contention["broadcast_frames_expected"])
    )


def test_sweep_releases_everything_with_one_message_per_event(smoke):
    for run in smoke["scenarios"]["sweep"]["runs"]:
        assert run["released"] == run["holds"] > 0
        assert run["still_held"] == 0
        assert run["layer_messages"]["event"] == run["events"]
        assert run["announcements"] == run["events"]
        assert run["wall_ms"] > 0


def test_idle_and_polling_both_measured(smoke):
    idle = smoke["scenarios"]["idle"]
    assert idle["ours"]["connected"] == idle["clients"] > 0
    assert idle["ours"]["cpu_seconds"] >= 0
    assert idle["polling"]["requests_served"] > 0
    assert idle["polling"]["cpu_seconds"] > 0


def test_memory_grows_with_connections(smoke):
    sizes = smoke["scenarios"]["memory"]["sizes"]
    assert [s["n"] for s in sizes] == smoke["sizes"]["memory_sizes"]
    for size in sizes:
        assert size["open"] == size["n"]
        assert size["rss_mib"] > 0
