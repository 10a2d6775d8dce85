"""A real cluster: PostgreSQL, Redis, two daphne workers, sweepers on demand.

These tests need the local PostgreSQL and Redis. When either is missing they
fail with a message saying so: they never skip.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import psycopg
import pytest
import redis

from devtools.databases import PostgresDatabase, flush_redis
from devtools.processes import Project
from devtools.wsclient import SeatMapClient, close_many, open_many, seat_map_path
from tests.parallel import redis_prefix, redis_url
from tests.polling import poll_until

PG_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
# A database of this worker's own: the cluster flushes it when it starts.
REDIS_URL = os.environ.get("TEST_REDIS_URL") or redis_url(0)
POOL_SIZE = 4
# Each worker's serving loop keeps connections of its own for plain clicks.
LOOP_CONNECTIONS = 2
# Longer than a round of the contention tests takes on a loaded machine (200
# holds over both workers, then the winner's release): a hold that lapses
# within a round frees the seat for a second winner. 3 s was once too short
# under the full suite. The expiry race waits it out nine times.
HOLD_SECONDS = 8


def require_services() -> None:
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except Exception as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_URL} ({error}). "
            "Start it (`make test` does) and run again."
        )
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL} ({error}). "
            "Start it (`make test` does) and run again."
        )


class Cluster(Project):
    """Two workers over one PostgreSQL database and one Redis database."""

    def __init__(self, var_dir, database: PostgresDatabase):
        self.database = database
        super().__init__(
            var_dir,
            DATABASE_URL=database.url,
            REDIS_URL=REDIS_URL,
            REDIS_PREFIX=redis_prefix(),
            DATABASE_POOL_SIZE=str(POOL_SIZE),
            SEAT_LOOP_DB_CONNECTIONS=str(LOOP_CONNECTIONS),
            SEAT_HOLD_SECONDS=str(HOLD_SECONDS),
            SEAT_HOLD_MAX_SECONDS="60",
            SEAT_SWEEP_SECONDS="0.05",
        )
        self.workers = []

    def create(self) -> None:
        self.database.create()
        flush_redis(REDIS_URL)
        self.migrate()

    def new_event(self, rows: int = 4, seats_per_row: int = 10) -> int:
        return super().new_event(f"Event {next(_names)}", rows, seats_per_row)

    def sql(self, query: str, params=()) -> list[tuple]:
        with psycopg.connect(self.database.url) as conn:
            return conn.execute(query, params).fetchall()

    def seat_ids(self, event_id: int) -> list[int]:
        rows = self.sql(
            "SELECT id FROM seats_seat WHERE event_id = %s ORDER BY id", [event_id]
        )
        return [r[0] for r in rows]


_names = itertools.count(1)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    require_services()
    # One database per pytest process: parallel runs never drop each other's.
    database = PostgresDatabase(PG_URL, f"seats_cluster_{os.getpid()}")
    cluster = Cluster(tmp_path_factory.mktemp("cluster"), database)
    cluster.create()
    try:
        cluster.workers = [cluster.serve("--no-sweeper") for _ in range(2)]
        yield cluster
    finally:
        cluster.stop_all()
        database.drop()


@pytest.fixture
def sweeper(cluster):
    """One `run_sweeper` for the duration of a test, leading once it is given."""
    process = cluster.spawn("sweeper", "run_sweeper")
    wait_for_log(cluster, "sweeper", "Sweeper running", timeout=60)
    yield process
    cluster.stop(process)


async def open_client(worker, event_id: int) -> SeatMapClient:
    """A client of `worker` that keeps every `seats.changed` it receives."""
    return await SeatMapClient.open(worker.ws_url(seat_map_path(event_id)))


async def open_clients(
    cluster: Cluster, event_id: int, count: int
) -> list[SeatMapClient]:
    """`count` clients spread evenly over the workers; every one of them or an error."""
    urls = [w.ws_url(seat_map_path(event_id)) for w in cluster.workers]
    clients, failed = await open_many(urls, count, attempts=1)
    if failed:
        await close_many(clients)
        raise RuntimeError(f"{failed} of {count} clients failed to connect")
    return clients


# A process's start (Django, under coverage, beside the rest of the suite)
# has taken over 20 s: the bound is for a process that never says it.
def wait_for_log(cluster, name: str, text: str, timeout: float = 60) -> None:
    poll_until(
        lambda: text in cluster.log(name),
        timeout=timeout,
        explain=lambda: f"{name} never logged {text!r}:\n{cluster.log(name)}",
    )
