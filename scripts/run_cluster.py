"""Run the production shape locally: N daphne workers, one sweeper and one
webhook sender.

    WORKERS=2 BASE_PORT=8001 python scripts/run_cluster.py

Uses DATABASE_URL (PostgreSQL, created when missing) and REDIS_URL, migrates,
seeds the demo event when there is none, then keeps the workers, the
sweeper and the webhook sender in the foreground until Ctrl-C or SIGTERM,
and stops them all. A process that exits is started again, after a pause
that doubles while it keeps failing quickly (logged each time); the others
carry on. Put nginx in front (deploy/nginx.conf) for one address.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a file, Python puts scripts/ first on the path, not the project.
sys.path.insert(0, str(ROOT))

from prometheus_client import multiprocess  # noqa: E402

from devtools.databases import PostgresDatabase  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/seats"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def ensure_database(url: str) -> None:
    """CREATE DATABASE when the one named in `url` does not exist yet."""
    database = PostgresDatabase.from_url(url)
    if database.ensure():
        print(f"created database {database.name}", flush=True)


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main() -> int:
    workers = int(os.environ.get("WORKERS", "2"))
    base_port = int(os.environ.get("BASE_PORT", "8001"))
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        "REDIS_URL": os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        "PYTHONUNBUFFERED": "1",
    }
    # The processes share their metrics through this directory, so any
    # worker's /metrics answers for the whole cluster; it starts empty.
    metrics_dir = Path(env.get("SEATS_VAR_DIR") or ROOT / "var") / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    ensure_database(env["DATABASE_URL"])
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("seed_demo", env=env)
    manage("ensure_admin", env=env)

    commands = {
        f"worker:{port}": [
            "serve",
            "--no-sweeper",
            "--no-deliveries",
            "--proxy-headers",
            "--port",
            str(port),
        ]
        for port in range(base_port, base_port + workers)
    }
    commands["sweeper"] = ["run_sweeper"]
    commands["deliveries"] = ["deliver_webhooks"]
    children = {name: Child(name, command, env) for name, command in commands.items()}

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    urls = ", ".join(
        f"http://127.0.0.1:{p}/" for p in range(base_port, base_port + workers)
    )
    print(
        f"cluster up: {workers} worker(s) at {urls}, one sweeper and one "
        "webhook sender",
        flush=True,
    )

    while not stopping:
        for child in children.values():
            child.keep_running()
        time.sleep(0.2)
    shutdown([child.process for child in children.values()])
    print("cluster stopped", flush=True)
    return 0


# Restart pauses: doubling from the first while a process keeps dying within
# STABLE_SECONDS of its start, up to the last.
RESTART_SECONDS = (0.5, 30.0)
STABLE_SECONDS = 30.0


class Child:
    """One process of the cluster, started again whenever it exits."""

    def __init__(self, name: str, command: list[str], env: dict) -> None:
        self.name, self.command, self.env = name, command, env
        self.pause = RESTART_SECONDS[0]
        self.restart_at: float | None = None
        self.process = self._start()

    def keep_running(self) -> None:
        now = time.monotonic()
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.restart_at = None
                self.process = self._start()
            return
        if self.process.poll() is None:
            return
        # Its live gauges (open sockets) no longer count.
        multiprocess.mark_process_dead(
            self.process.pid, self.env["PROMETHEUS_MULTIPROC_DIR"]
        )
        ran = now - self.started
        self.pause = (
            RESTART_SECONDS[0]
            if ran > STABLE_SECONDS
            else min(self.pause * 2, RESTART_SECONDS[1])
        )
        print(
            f"{self.name} exited with {self.process.returncode} after {ran:.1f}s; "
            f"restarting in {self.pause:g}s",
            flush=True,
        )
        self.restart_at = now + self.pause

    def _start(self) -> subprocess.Popen:
        self.started = time.monotonic()
        # Own process group: a Ctrl-C reaches us once, and we stop children in order.
        return subprocess.Popen(
            [sys.executable, "manage.py", *self.command],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )


def shutdown(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
