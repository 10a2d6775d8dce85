"""The servers under test, and the scratch backends the benchmarks use.

`Stack` is devtools' `Project` with the benchmarks' defaults: `manage.py`
commands and servers (the project's and the baselines) run with an
environment of their own (a temporary SQLite directory, or the benchmark's
PostgreSQL database and Redis db), never with whatever the shell had.
Everything a stack starts is stopped by `stop_all()`, which callers run in a
`finally`.
"""

from __future__ import annotations

import os
from pathlib import Path

from devtools.databases import PostgresDatabase
from devtools.processes import Project, Worker, free_port

PG_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
# Named after the runner's process: runs side by side never drop each other's.
PG_DATABASE = PostgresDatabase(PG_ADMIN_URL, f"seats_bench_{os.getpid()}")
# Migrated once per run; each PostgreSQL stack starts from a copy of it.
PG_TEMPLATE = PostgresDatabase(PG_ADMIN_URL, f"seats_bench_{os.getpid()}_migrated")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")


class Stack(Project):
    """Processes sharing one environment, all stopped by `stop_all()`."""

    command_timeout = 300
    many_sockets = True

    def __init__(self, var_dir: Path, **env: str):
        var_dir = Path(var_dir)
        var_dir.mkdir(parents=True, exist_ok=True)
        defaults = {
            "DJANGO_SECRET_KEY": "bench-not-secret",
            "SEATS_LOG_LEVEL": "WARNING",
            # Pub/sub channels are server-wide: a test suite running beside
            # the benchmark on the same Redis must not hear its events.
            "REDIS_PREFIX": f"bench{os.getpid()}",
        }
        super().__init__(var_dir, **(defaults | env))

    def serve_standard(self) -> Worker:
        """The standard Channels pattern under daphne, with the same settings."""
        port = free_port()
        return self.listen(
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

    def serve_floor(
        self,
        redis_url: str | None = None,
        *,
        window: float = 0.0,
        times: Path | None = None,
        database: str | None = None,
        event_id: int | None = None,
    ) -> Worker:
        """The plain `websockets` broadcast server (bench/baselines/floor_server.py);
        with `database`, its clicks are calls to our click functions on
        `event_id` there."""
        port = free_port()
        extra = ["--redis", redis_url] if redis_url else []
        extra += ["--window", str(window)]
        if times is not None:
            extra += ["--times", str(times)]
        if database is not None:
            extra += ["--database", database, "--event", str(event_id)]
        return self.listen(
            "floor",
            "-m",
            "bench.baselines.floor_server",
            "--port",
            str(port),
            *extra,
            port=port,
        )
