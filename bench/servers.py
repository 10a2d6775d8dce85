"""Starting and stopping the servers under test, each in a process of its own.

`Stack` mirrors tests/processes.py: `manage.py` commands and servers run with
an environment of their own (a temporary SQLite directory, or the benchmark's
PostgreSQL database and Redis db), never with whatever the shell had.
Everything a stack starts is stopped by `stop_all()`, which callers run in a
`finally`.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from tests.processes import Project, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
PG_DATABASE = "seats_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")


def raise_open_files_limit() -> int:
    """Soft open-files limit up to the hard one (5,000 sockets need it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def postgres_url(database: str = PG_DATABASE) -> str:
    return urlparse(PG_ADMIN_URL)._replace(path=f"/{database}").geturl()


def reset_postgres(database: str = PG_DATABASE) -> str:
    """Drop and create the benchmark database; returns its URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return postgres_url(database)


def drop_postgres(database: str = PG_DATABASE) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def flush_redis(url: str = REDIS_URL) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def pid(self) -> int:
        return self.process.pid

    def ws(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"


class Stack(Project):
    """Processes sharing one environment, all stopped by `stop_all()`.

    Unlike the tests' Project, it spawns any Python module (baselines too)
    and raises each child's open-files limit for thousands of sockets.
    """

    def __init__(self, var_dir: Path, **env: str):
        var_dir = Path(var_dir)
        var_dir.mkdir(parents=True, exist_ok=True)
        defaults = {
            "DJANGO_SECRET_KEY": "bench-not-secret",
            "SEATS_LOG_LEVEL": "WARNING",
        }
        super().__init__(var_dir, **(defaults | env))

    def python(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"python {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout

    def manage(self, *args: str, timeout: float = 300) -> str:
        return self.python("manage.py", *args, timeout=timeout)

    def migrate(self) -> None:
        self.manage("migrate", "--noinput", "-v", "0")

    def new_event(self, name: str, rows: int, seats_per_row: int) -> int:
        out = self.manage(
            "seed_demo",
            "--force",
            "--name",
            name,
            "--rows",
            str(rows),
            "--seats-per-row",
            str(seats_per_row),
        )
        return int(re.search(r"\(id (\d+)\)", out).group(1))

    def spawn(self, name: str, *args: str) -> subprocess.Popen:
        """A long-running Python process; its output goes to var_dir/name.log."""
        with open(self.var_dir / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                [sys.executable, *args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=raise_open_files_limit,
            )
        self.processes.append(process)
        return process

    def start(self, name: str, *args: str, port: int) -> Server:
        process = self.spawn(f"{name}-{port}", *args)
        try:
            wait_for_port(port, process)
        except RuntimeError as error:
            raise RuntimeError(
                f"{error}\n{self.log(f'{name}-{port}')[-3000:]}"
            ) from None
        return Server(name, port, process)

    def serve(self, *extra: str) -> Server:
        """`manage.py serve`: the project's own server (daphne, hub, outboxes)."""
        port = free_port()
        return self.start(
            "serve", "manage.py", "serve", "--port", str(port), *extra, port=port
        )

    def serve_standard(self) -> Server:
        """The standard Channels pattern under daphne, with the same settings."""
        port = free_port()
        return self.start(
            "standard",
            "-m",
            "daphne",
            "-v",
            "0",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "bench.baselines.channels_groups:application",
            port=port,
        )

    def serve_floor(self, redis_url: str | None = None) -> Server:
        """The plain `websockets` broadcast server."""
        port = free_port()
        extra = ["--redis", redis_url] if redis_url else []
        return self.start(
            "floor",
            "-m",
            "bench.baselines.floor_server",
            "--port",
            str(port),
            *extra,
            port=port,
        )
