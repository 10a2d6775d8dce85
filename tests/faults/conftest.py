"""Real processes under real faults: a Redis of our own, killed and restarted;
database connections terminated; processes killed.

Everything here is started by the test and stopped by PID: the machine's
own PostgreSQL and Redis are only used through databases we create.
These tests fail (never skip) when PostgreSQL or redis-server is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from devtools.databases import PostgresDatabase
from devtools.processes import Project, free_port

PG_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)


class RedisServer:
    """A redis-server of our own on a free port, killed and restarted at will."""

    def __init__(self, log: Path, host: str = "127.0.0.1") -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.binary, self.log, self.host = binary, log, host
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", self.host]
                # Off the loopback Redis refuses clients without a password;
                # it listens on the test's private address only.
                + ([] if self.host == "127.0.0.1" else ["--protected-mode", "no"])
                + ["--save", "", "--appendonly", "no"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(
                    host=self.host, port=self.port, socket_connect_timeout=0.5
                ).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, self.log.read_text()
                time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            server.kill()


@pytest.fixture
def database() -> Iterator[PostgresDatabase]:
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except Exception as error:
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL} ({error})")
    database = PostgresDatabase(PG_URL, f"seats_faults_{os.getpid()}")
    database.create()
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture
def project(tmp_path, database, own_redis) -> Iterator[Project]:
    """The project on our database and our Redis, quick heartbeats and holds."""
    project = Project(
        tmp_path,
        DATABASE_URL=database.url,
        REDIS_URL=own_redis.url,
        DATABASE_POOL_SIZE="4",
        SEAT_HEARTBEAT_SECONDS="1",
        SEAT_SWEEP_SECONDS="0.2",
    )
    project.migrate()
    try:
        yield project
    finally:
        project.stop_all()
