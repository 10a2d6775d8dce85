"""`python -m bench.run --smoke` started once per test run, in the background.

The smoke run takes minutes, most of them starting servers. Started as the
suite is collected, it runs beside the other tests instead of holding a
test worker for all that time; `tests/bench/test_bench_smoke.py` runs last
and waits for its result. Every worker of a run (pytest-xdist shares
PYTEST_XDIST_TESTRUNUID among them) finds the same directory, and a lock
lets only the first start it. A test run stopped early leaves it to finish
on its own: it is bounded and stops its servers itself. A run whose results
are read and good leaves nothing behind; a failed one keeps its directory,
with its output, for a look.

It runs as two processes at once, each with half of the scenarios (`PARTS`)
and a Redis database of its own, and their results are put together: one
process alone was the suite's last file to finish, starting its servers one
after another on a machine busy with four test workers.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from devtools.processes import ROOT

# About 1.5 minutes alone; beside the rest of the suite (four test workers,
# their servers under coverage) several times that, and a slow day doubles it.
TIMEOUT_SECONDS = 1200

# The scenarios of each process, about half the time each (every scenario
# in one of them: the first check says so); and the Redis database each
# flushes and uses (11 is the benchmarks' own, 12 spare: tests/parallel.py).
PARTS = (
    (("fanout", "onsale"), "redis://127.0.0.1:6379/11"),
    (
        (
            "contention",
            "queue",
            "idle",
            "memory",
            "storm",
            "expiry",
            "statements",
            "sweep",
        ),
        "redis://127.0.0.1:6379/12",
    ),
)

_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


def directory() -> Path:
    path = Path(tempfile.gettempdir()) / f"seats-bench-smoke-{_RUN_ID}"
    path.mkdir(exist_ok=True)
    return path


def start_once() -> None:
    """Start the smoke run unless a worker of this test run already has."""
    where = directory()
    with open(where / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (where / "pid-0").exists():
            return
        # Not under coverage's tracer (`make test` measures the servers the
        # tests start): it would slow every server of the run several-fold
        # and skew the orderings the tests check, and the code the
        # benchmarks drive is the code the rest of the suite covers.
        env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
        for part, (scenarios, redis_url) in enumerate(PARTS):
            only = [arg for name in scenarios for arg in ("--only", name)]
            with (
                open(where / f"stdout-{part}", "w") as out,
                open(where / f"stderr-{part}", "w") as err,
            ):
                # A session of its own: on a timeout, its servers go with it.
                # The shell writes the exit status for whichever worker waits.
                run = subprocess.Popen(
                    [
                        "bash",
                        "-c",
                        '"$0" -m bench.run --smoke --json "$1" "${@:3}"; '
                        'echo $? > "$2"',
                        sys.executable,
                        str(where / f"smoke-{part}.json"),
                        str(where / f"status-{part}"),
                        *only,
                    ],
                    cwd=ROOT,
                    env=env | {"BENCH_REDIS_URL": redis_url},
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                )
            (where / f"pid-{part}").write_text(str(run.pid))
        (where / "started").write_text(str(time.time()))


def result() -> dict:
    """Wait for the smoke run (starting it if nobody has) and return its
    results, both processes' together; AssertionError with the output of a
    process that failed or overran."""
    start_once()
    where = directory()
    deadline = float((where / "started").read_text()) + TIMEOUT_SECONDS
    parts = [_part(where, part, deadline) for part in range(len(PARTS))]
    results = parts[0]
    for other in parts[1:]:
        results["scenarios"] |= other["scenarios"]
        results["failures"] |= other["failures"]
        results["total_seconds"] = max(results["total_seconds"], other["total_seconds"])
    shutil.rmtree(where, ignore_errors=True)
    return results


def _part(where: Path, part: int, deadline: float) -> dict:
    """One process's results, once it has ended."""
    pid = int((where / f"pid-{part}").read_text())
    status = where / f"status-{part}"
    while not status.exists():
        if time.time() > deadline or not _alive(pid):
            if status.exists():
                break  # it wrote its status and ended between the two looks
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)
            raise AssertionError(
                f"smoke process {part} ended without a status or took over "
                f"{TIMEOUT_SECONDS} s:\n"
                + (where / f"stderr-{part}").read_text()[-5000:]
            )
        time.sleep(0.5)
    time.sleep(0.1)  # the status line written whole
    stdout = (where / f"stdout-{part}").read_text()
    stderr = (where / f"stderr-{part}").read_text()
    assert status.read_text().strip() == "0", stderr[-5000:]
    assert "| scenario |" in stdout, "the table goes to stdout"
    assert "==" in stderr, "progress goes to stderr"
    return json.loads((where / f"smoke-{part}.json").read_text())


def _alive(pid: int) -> bool:
    """Whether the run is still going. Only the worker that started it can
    reap it; the others see it end when its process is gone or a zombie."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:  # another worker's child
        pass
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
