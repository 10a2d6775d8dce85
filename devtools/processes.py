"""Starting the project's own processes for black-box tests and benchmarks.

`Project` runs `manage.py` commands (daphne workers, sweepers, one-off
commands) and other Python programs in subprocesses with an environment of
their own, so callers talk to real servers over TCP and real databases,
exactly as a deployment would.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from devtools import forking, migrated
from devtools.commands import CommandRunner
from devtools.forking import Process
from devtools.forking import raise_open_files_limit as raise_open_files_limit

ROOT = Path(__file__).resolve().parents[1]
ADMIN_PASSWORD = "staff-password-1"

# Every variable the project reads starts with one of these (config/settings.py,
# config/env.py, the management commands): SEAT_HOLD_SECONDS, SEATS_VAR_DIR,
# DJANGO_DEBUG, DATABASE_URL, DATABASE_POOL_SIZE, REDIS_URL,
# REDIS_CHANNEL_LAYER, ADMIN_PASSWORD, PROMETHEUS_MULTIPROC_DIR, ...
# Prefixes rather than names, so a setting added later is dropped too.
PROJECT_SETTING_PREFIXES = (
    "SEAT_",
    "SEATS_",
    "DJANGO_",
    "DATABASE_",
    "REDIS_",
    "ADMIN_",
    "PROMETHEUS_",
)


def is_project_setting(name: str) -> bool:
    """True for every environment variable that configures the project."""
    return name.startswith(PROJECT_SETTING_PREFIXES)


def child_environment(
    inherited: Mapping[str, str], var_dir: Path, overrides: Mapping[str, str]
) -> dict[str, str]:
    """`inherited` without project settings, then the defaults, then `overrides`.

    A setting reaches the child only when the caller passes it: never because
    the shell that started the tests happened to export it.
    """
    clean = {k: v for k, v in inherited.items() if not is_project_setting(k)}
    return {
        **clean,
        "SEATS_VAR_DIR": str(var_dir),
        # The caller's settings module (the test suite's, tests/settings.py)
        # or the project's.
        "DJANGO_SETTINGS_MODULE": inherited.get(
            "DJANGO_SETTINGS_MODULE", "config.settings"
        ),
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PYTHONUNBUFFERED": "1",
        **overrides,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: Process, timeout: float = 30) -> None:
    """Return once `port` accepts connections; raise if `process` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port} within {timeout}s")


@dataclass
class Worker:
    """A server process listening on 127.0.0.1:`port`."""

    port: int
    process: Process
    # Its log's name in the project's var dir (`Project.log`).
    log: str = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"


def _listening_log(name: str, port: int) -> str:
    """The log name of a process `Project.listen` started."""
    return f"{name}-{port}"


class Project:
    """The project's commands, run with `env` on top of a clean environment."""

    # Seconds a one-off command may take before it counts as hung.
    command_timeout: float = 120
    # Raise each child's open-files limit (servers holding thousands of sockets).
    many_sockets: bool = False

    def __init__(self, var_dir: Path, **env: str):
        self.var_dir = Path(var_dir)
        # Made here, not by the first command: a PostgreSQL database copied
        # from the template needs no command (migrate), and so no command log.
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.env = child_environment(os.environ, self.var_dir, env)
        self.processes: list[Process] = []
        self._runner: CommandRunner | None = None

    def python(self, *argv: str, timeout: float | None = None) -> str:
        """`python *argv` to completion; its stdout, or RuntimeError with both."""
        done = subprocess.run(
            [sys.executable, *argv],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout or self.command_timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"python {' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout

    def manage(self, *args: str, timeout: float | None = None) -> str:
        """`manage.py *args` to completion; its stdout, or RuntimeError.

        Run by this project's command process (devtools.commands), which
        pays Django's start-up once for all of them.
        """
        runner = self._runner
        if runner is None or not runner.alive() or runner.env != self.env:
            if runner is not None:
                runner.close()
            runner = self._runner = CommandRunner(
                self.env, self.var_dir / "commands.log"
            )
        return runner.run([args], timeout or self.command_timeout)

    def migrate(self) -> None:
        """`manage.py migrate`; a new database starts as a copy of one this
        process migrated before (devtools.migrated), a second's work saved.

        A copy is not migrated again: it was taken just after a migrate of
        the same code, with nothing written since, and a migrate that finds
        nothing to do still loads every migration and checks every model's
        content type and permissions (half a second of CPU).
        """
        new = migrated.is_new(self.env)
        if new and migrated.restore(self.env):
            return
        self.manage("migrate", "--noinput", "-v", "0")
        if new:
            migrated.keep(self.env)

    def new_event(
        self,
        name: str,
        rows: int,
        seats_per_row: int,
        *,
        avoid_single_seats: bool = False,
    ) -> int:
        """A new grid venue made by `seed_demo --force`; returns its event id.

        Single seats may be left alone unless asked: load and fault tests
        hold seats at random, which the rule would refuse half the time.
        """
        rule = [] if avoid_single_seats else ["--allow-single-seats"]
        out = self.manage(
            "seed_demo",
            "--force",
            "--name",
            name,
            "--rows",
            str(rows),
            "--seats-per-row",
            str(seats_per_row),
            *rule,
        )
        found = re.search(r"\(id (\d+)\)", out)
        if found is None:
            raise RuntimeError(f"seed_demo said no event id: {out!r}")
        return int(found.group(1))

    def spawn_python(self, name: str, *argv: str) -> Process:
        """A long-running `python *argv`; its output goes to var_dir/name.log."""
        with open(self.var_dir / f"{name}.log", "ab") as log:
            process = forking.popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                many_files=self.many_sockets,
            )
        self.processes.append(process)
        return process

    def spawn(self, name: str, *args: str) -> Process:
        """A long-running `manage.py` command; its output goes to var_dir/name.log."""
        return self.spawn_python(name, "manage.py", *args)

    def listen(self, name: str, *argv: str, port: int) -> Worker:
        """`python *argv`, once it listens on `port`; logs to var_dir/name-port.log."""
        log = _listening_log(name, port)
        process = self.spawn_python(log, *argv)
        try:
            wait_for_port(port, process)
        except RuntimeError as error:
            raise RuntimeError(f"{error}\n{self.log(log)[-3000:]}") from None
        return Worker(port, process, log)

    def state_of(self, worker: Worker, tail: int = 2000) -> str:
        """Whether `worker` still runs, and the end of its log: what a run
        that lost its sockets reports."""
        code = worker.process.poll()
        state = "running" if code is None else f"exited with {code}"
        return f"{worker.log} (pid {worker.pid}): {state}; its log ends:\n" + (
            self.log(worker.log)[-tail:] or "(empty)"
        )

    def serve(self, *extra: str, port: int | None = None) -> Worker:
        """`manage.py serve`: the project's own server (daphne, hub, sweeper)."""
        port = port or free_port()
        return self.listen(
            "serve", "manage.py", "serve", "--port", str(port), *extra, port=port
        )

    def log(self, name: str) -> str:
        path = self.var_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, process: Process, sig: int = signal.SIGTERM) -> None:
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for process in self.processes:
            self.stop(process)
        self.processes.clear()
        if self._runner is not None:
            self._runner.close()
            self._runner = None


class LiveServer(Project):
    """One `manage.py serve` (sweeper inside) on a port kept across restarts."""

    def __init__(self, var_dir: Path, **env: str):
        super().__init__(var_dir, **env)
        self.worker: Worker | None = None

    @property
    def url(self) -> str:
        assert self.worker is not None, "start() first"
        return self.worker.url

    def start(self, *extra: str) -> None:
        self.worker = self.serve(*extra, port=self.worker.port if self.worker else None)

    def server_log(self) -> str:
        """What the server has logged so far, restarts included ("" before
        its first start)."""
        if self.worker is None:
            return ""
        return self.log(_listening_log("serve", self.worker.port))

    def stop(self, process: Process | None = None, sig: int = signal.SIGTERM):
        if process is not None:
            return super().stop(process, sig)
        if self.worker is not None:
            super().stop(self.worker.process, sig)


@contextmanager
def live_server(
    var_dir: Path,
    *,
    seeds: Sequence[Sequence[str]] = ((),),
    commands: Sequence[Sequence[str]] = (),
    serve_args: Sequence[str] = (),
    **env: str,
) -> Iterator[LiveServer]:
    """A migrated, seeded server (staff user `admin` included), stopped on exit.

    Each entry of `seeds` is one `seed_demo` call's arguments; each of
    `commands` a whole `manage.py` command line, run after them.
    """
    server = LiveServer(var_dir, **env)
    server.migrate()
    for args in seeds:
        server.manage("seed_demo", *args)
    for command in commands:
        server.manage(*command)
    server.manage("ensure_admin")
    server.start(*serve_args)
    try:
        yield server
    finally:
        server.stop_all()
