"""A real cluster: PostgreSQL, Redis, two daphne workers, sweepers on demand.

These tests need the local PostgreSQL and Redis. When either is missing they
fail with a message saying so: they never skip.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
from collections.abc import Iterator
from urllib.parse import urlparse

import psycopg
import pytest
import redis
import websockets

from tests.processes import Project

PG_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
POOL_SIZE = 4
HOLD_SECONDS = 3
ORIGIN = "http://127.0.0.1"


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

    def __init__(self, var_dir, database: str):
        self.database = database
        self.database_url = urlparse(PG_URL)._replace(path=f"/{database}").geturl()
        super().__init__(
            var_dir,
            DATABASE_URL=self.database_url,
            REDIS_URL=REDIS_URL,
            DATABASE_POOL_SIZE=str(POOL_SIZE),
            SEAT_HOLD_SECONDS=str(HOLD_SECONDS),
            SEAT_HOLD_MAX_SECONDS="60",
            SEAT_SWEEP_SECONDS="0.05",
        )
        self.workers = []

    def create(self) -> None:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.database}"')
        redis.Redis.from_url(REDIS_URL).flushdb()
        self.manage("migrate", "--noinput", "-v", "0")

    def drop(self) -> None:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def new_event(self, rows: int = 4, seats_per_row: int = 10) -> int:
        out = self.manage(
            "seed_demo",
            "--force",
            "--name",
            f"Event {next(_names)}",
            "--rows",
            str(rows),
            "--seats-per-row",
            str(seats_per_row),
        )
        return int(re.search(r"\(id (\d+)\)", out).group(1))

    def sql(self, query: str, params=()) -> list[tuple]:
        with psycopg.connect(self.database_url) as conn:
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
    cluster = Cluster(
        tmp_path_factory.mktemp("cluster"), f"seats_cluster_{os.getpid()}"
    )
    cluster.create()
    try:
        cluster.workers = [cluster.serve("--no-sweeper") for _ in range(2)]
        yield cluster
    finally:
        cluster.stop_all()
        cluster.drop()


@pytest.fixture
def sweeper(cluster):
    """One `run_sweeper` for the duration of a test."""
    process = cluster.spawn("sweeper", "run_sweeper")
    yield process
    cluster.stop(process)


class WsClient:
    """A protocol v1 client over a real socket; keeps broadcasts apart from replies."""

    _ids = itertools.count(1)

    def __init__(self, ws, snapshot: dict):
        self.ws = ws
        self.snapshot = snapshot
        self.you = snapshot["you"]
        self.changes: list[dict] = []
        self.changed = asyncio.Event()
        self._waiting: dict[str, asyncio.Future] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, worker, event_id: int) -> WsClient:
        ws = await websockets.connect(
            f"{worker.ws}/ws/events/{event_id}/", origin=ORIGIN, max_queue=None
        )
        snapshot = json.loads(await ws.recv())
        assert snapshot["type"] == "snapshot", snapshot
        return cls(ws, snapshot)

    async def request(self, message: dict, timeout: float = 30) -> dict:
        request_id = f"r{next(self._ids)}"
        future = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        await self.ws.send(json.dumps({**message, "request_id": request_id}))
        return await asyncio.wait_for(future, timeout)

    async def wait_for(self, predicate, timeout: float = 10) -> dict:
        """The first broadcast (seen or to come) that matches `predicate`."""
        deadline = asyncio.get_running_loop().time() + timeout
        seen = 0
        while True:
            for change in self.changes[seen:]:
                if predicate(change):
                    return change
            seen = len(self.changes)
            self.changed.clear()
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError("no matching seats.changed arrived")
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                pass

    def seat_states(self) -> dict[int, str]:
        """Each seat's status as this client knows it: snapshot plus broadcasts."""
        states = {s["id"]: s["status"] for s in self.snapshot["seats"]}
        for change in sorted(self.changes, key=lambda c: c["version"]):
            for seat in change["seats"]:
                states[seat["id"]] = seat["status"]
        return states

    async def close(self) -> None:
        self._reader.cancel()
        await self.ws.close()

    async def _read(self) -> None:
        async for frame in self.ws:
            message = json.loads(frame)
            if message["type"] == "seats.changed":
                self.changes.append(message)
                self.changed.set()
                continue
            future = self._waiting.pop(message.get("request_id"), None)
            if future is not None and not future.done():
                future.set_result(message)


async def open_clients(cluster: Cluster, event_id: int, count: int) -> list[WsClient]:
    """`count` clients spread evenly over the workers."""
    clients = []
    for start in range(0, count, 50):
        batch = range(start, min(count, start + 50))
        clients += await asyncio.gather(
            *(
                WsClient.open(cluster.workers[i % len(cluster.workers)], event_id)
                for i in batch
            )
        )
    return clients


async def close_all(clients: list[WsClient]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
