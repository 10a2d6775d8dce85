"""What each pytest-xdist worker must have to itself when the suite runs in parallel.

`make test` runs the suite in several processes at once (pytest-xdist).
Databases are per process already (pytest-django names them after the
worker, the cluster's after the PID), ports are free ones picked at random,
and each server gets its own SEATS_VAR_DIR under pytest's tmp_path. What is
left to share is Redis: a test that flushes a Redis database takes one of
its own, by worker, and servers on the machine's Redis take a channel-layer
prefix of the worker's (pub/sub channels ignore the database number, so
two workers' clusters would hear each other's `event.1`).
"""

from __future__ import annotations

import os

# Redis databases 1..10 are the workers'; 0 is `make run`'s, 11 the benchmarks'
# (and 12 the second process of the benchmarks' smoke run, tests/bench/smoke_run.py).
FIRST_REDIS_DB = 1
LAST_REDIS_DB = 10


def worker_index() -> int:
    """0 for `gw0` (or a run without xdist), 1 for `gw1`, ..."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = name.removeprefix("gw")
    return int(digits) if digits.isdigit() else 0


def redis_url(purpose: int = 0, *, host: str = "127.0.0.1", port: int = 6379) -> str:
    """A Redis database of this worker's own, for `purpose` (0 or 1).

    Two per worker, so up to five workers never share one.
    """
    db = FIRST_REDIS_DB + 2 * worker_index() + purpose
    if db > LAST_REDIS_DB:
        raise RuntimeError(f"too many test workers for Redis databases (db {db})")
    return f"redis://{host}:{port}/{db}"


def redis_prefix() -> str:
    """The channel-layer prefix (REDIS_PREFIX) of this worker's servers."""
    return f"asgi{worker_index()}"
