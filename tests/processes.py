"""Starting the project's own processes for black-box tests.

`Project` runs `manage.py` commands (daphne workers, sweepers, one-off
commands) in subprocesses with an environment of their own, so a test talks
to real servers over TCP and real databases, exactly as a deployment would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
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
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


class Project:
    """The project's commands, run with `env` on top of a clean environment."""

    def __init__(self, var_dir: Path, **env: str):
        self.var_dir = var_dir
        self.env = {
            **os.environ,
            "SEATS_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ADMIN_PASSWORD": "staff-password-1",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        # Only the backends the test asks for: never whatever the shell had.
        for name in ("DATABASE_URL", "REDIS_URL", "REDIS_CHANNEL_LAYER"):
            if name not in env:
                self.env.pop(name, None)
        self.processes: list[subprocess.Popen] = []

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def spawn(self, name: str, *args: str) -> subprocess.Popen:
        """A long-running `manage.py` command; its output goes to var_dir/name.log."""
        with open(self.var_dir / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def serve(self, *extra: str, port: int | None = None) -> Worker:
        port = port or free_port()
        process = self.spawn(f"serve-{port}", "serve", "--port", str(port), *extra)
        wait_for_port(port, process)
        return Worker(port, process)

    def log(self, name: str) -> str:
        path = self.var_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
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


class LiveServer(Project):
    """One `manage.py serve` (sweeper inside) on a free port."""

    def __init__(self, var_dir: Path, **env: str):
        super().__init__(var_dir, **env)
        self.worker: Worker | None = None

    @property
    def url(self) -> str:
        assert self.worker is not None, "start() first"
        return self.worker.url

    def start(self, *extra: str) -> None:
        self.worker = self.serve(*extra, port=self.worker.port if self.worker else None)

    def stop(self, process: subprocess.Popen | None = None, sig: int = signal.SIGTERM):
        if process is not None:
            return super().stop(process, sig)
        if self.worker is not None:
            super().stop(self.worker.process, sig)


@contextmanager
def live_server(
    var_dir: Path,
    *,
    seeds: Sequence[Sequence[str]] = ((),),
    serve_args: Sequence[str] = (),
    **env: str,
) -> Iterator[LiveServer]:
    """A migrated, seeded server (staff user `admin` included), stopped on exit.

    Each entry of `seeds` is one `seed_demo` call's arguments.
    """
    server = LiveServer(var_dir, **env)
    server.manage("migrate", "--noinput", "-v", "0")
    for args in seeds:
        server.manage("seed_demo", *args)
    server.manage("ensure_admin")
    server.start(*serve_args)
    try:
        yield server
    finally:
        server.stop()
