"""What every scenario gets: sizes, a work directory, progress, stacks, profiles."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import shutil
import signal
import sys
import time
from collections import Counter
from contextlib import asynccontextmanager
from pathlib import Path

import psutil

from bench.clients import GeneratorPool
from bench.servers import PG_DATABASE, PG_TEMPLATE, Stack
from devtools.processes import ROOT

PROFILES = ROOT / "bench" / "results" / "profiles"


class Context:
    def __init__(self, options: argparse.Namespace, work: Path):
        self.options = options
        self.work = work
        self.started = time.monotonic()
        self._names = itertools.count(1)
        self._template: tuple[Path, dict[str, int]] | None = None
        self._pg_template = False
        self.profiles: dict[str, dict] = {}

    def progress(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"[{elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)

    def stack(self, name: str, **env: str) -> Stack:
        """A stack named `name`, with the run's --server-setting values
        under `env`."""
        chosen = dict(s.partition("=")[::2] for s in self.options.server_setting)
        return Stack(self.work / f"{next(self._names):02d}-{name}", **(chosen | env))

    def sqlite_stack(self, name: str, **env: str) -> tuple[Stack, dict[str, int]]:
        """A stack on a copy of one migrated, seeded SQLite database."""
        template, events = self._sqlite_template()
        stack = self.stack(name, **env)
        for path in template.glob("db.sqlite3*"):
            shutil.copy(path, stack.var_dir / path.name)
        return stack, events

    def _sqlite_template(self) -> tuple[Path, dict[str, int]]:
        if self._template is None:
            self.progress("preparing a migrated SQLite database (once)")
            stack = self.stack("template")
            stack.migrate()
            holds = self.options.expiry_holds
            events = {
                "fanout": stack.new_event("Fan-out", 1, 20),
                "demo": stack.new_event("Demo", 10, 20),
                "expiry": stack.new_event("Expiry", math.ceil(holds / 20), 20),
            }
            self._template = (stack.var_dir, events)
        return self._template

    def postgres_database(self) -> str:
        """PG_DATABASE afresh, already migrated (a copy of a template
        migrated once per run, dropped by `close`); its URL."""
        if not self._pg_template:
            self.progress("preparing a migrated PostgreSQL database (once)")
            stack = self.stack("pg-template", DATABASE_URL=PG_TEMPLATE.create())
            stack.migrate()
            self._pg_template = True
        return PG_DATABASE.create(template=PG_TEMPLATE)

    def close(self) -> None:
        if self._pg_template:
            PG_TEMPLATE.drop()

    async def generators(self, stack: Stack, count: int | None = None):
        return await GeneratorPool.start(
            count or self.options.generators, stack.var_dir
        )

    @asynccontextmanager
    async def profiled(self, label: str, pid: int):
        """With --profile, py-spy samples `pid` meanwhile; top frames kept."""
        if not self.options.profile:
            yield
            return
        PROFILES.mkdir(parents=True, exist_ok=True)
        out = PROFILES / f"{label.replace('/', '-')}.txt"
        spy = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--format",
            "raw",
            "--rate",
            "250",
            "--nonblocking",
            # Only the thread holding the interpreter lock: a thread waiting
            # for it costs no CPU, and would otherwise show as busy.
            "--gil",
            "--pid",
            str(pid),
            "--output",
            str(out),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            yield
        finally:
            if spy.returncode is None:
                spy.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(spy.wait(), 30)
            except TimeoutError:
                spy.kill()
                await spy.wait()
        if out.exists():
            self.profiles[label] = top_frames(out)
            self.progress(f"profile of {label}: {out.relative_to(ROOT)}")


def top_frames(path: Path, count: int = 12) -> dict:
    """Self and inclusive sample shares per function from py-spy's raw output."""
    own: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        n = int(samples)
        total += n
        frames = [_short(f) for f in stack.split(";")]
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n

    def shares(counter: Counter) -> list[list]:
        return [[f, round(100 * n / total, 1)] for f, n in counter.most_common(count)]

    return {"samples": total, "self": shares(own), "inclusive": shares(inclusive)}


def _short(frame: str) -> str:
    """`func (path/to/file.py:12)` -> `func (file.py)`: lines vary, functions not."""
    name, _, where = frame.partition(" (")
    file = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(Path(file).parts[-2:])})"


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def machine_busy_seconds() -> float:
    """CPU seconds every process of the machine has used so far (all cores):
    server, database, Redis and load generator alike."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def rss_bytes(pid: int) -> int:
    return psutil.Process(pid).memory_info().rss
