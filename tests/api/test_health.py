"""Load-balancer checks: alive while the process answers, ready while backends do."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis

from api import health
from devtools.databases import PostgresDatabase
from devtools.processes import free_port, live_server
from tests.parallel import redis_prefix, redis_url

PG_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = redis_url(1)


def document(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def assert_no_cookie_and_no_cache(response) -> None:
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


async def test_healthz_answers_ok(async_client):
    response = await async_client.get("/healthz")
    assert response.status_code == 200
    assert document(response) == {"status": "ok"}
    assert_no_cookie_and_no_cache(response)


async def test_healthz_refuses_writes(async_client):
    assert (await async_client.post("/healthz")).status_code == 405


@pytest.mark.django_db(transaction=True)
async def test_readyz_on_sqlite_and_the_in_memory_layer(async_client):
    # A browser's session cookie is neither read nor renewed.
    cookie = {"cookie": "sessionid=" + "k" * 32}
    response = await async_client.get("/readyz", headers=cookie)
    assert response.status_code == 200
    assert document(response) == {
        "status": "ready",
        "checks": {"database": "ok", "channel_layer": "ok"},
    }
    assert_no_cookie_and_no_cache(response)


@pytest.mark.django_db(transaction=True)
async def test_readyz_names_a_failing_database(async_client, monkeypatch):
    def refuse() -> None:
        raise ConnectionRefusedError("127.0.0.1:5432 refused")

    monkeypatch.setattr(health, "ping_database", refuse)
    response = await async_client.get("/readyz")
    assert response.status_code == 503
    assert document(response) == {
        "status": "not_ready",
        "checks": {"database": "error: ConnectionRefusedError", "channel_layer": "ok"},
    }


@pytest.mark.django_db(transaction=True)
async def test_readyz_names_a_failing_channel_layer(async_client, monkeypatch):
    async def refuse() -> None:
        raise ConnectionError("redis went away")

    monkeypatch.setattr(health, "ping_channel_layer", refuse)
    response = await async_client.get("/readyz")
    assert response.status_code == 503
    assert document(response)["checks"] == {
        "database": "ok",
        "channel_layer": "error: ConnectionError",
    }


@pytest.fixture
def stuck():
    """A sync and an async check that hang until the test ends."""
    released = threading.Event()

    def stuck_in_driver() -> None:
        released.wait(30)

    async def stuck_on_the_network() -> None:
        await asyncio.sleep(30)

    yield {"ping_database": stuck_in_driver, "ping_channel_layer": stuck_on_the_network}
    released.set()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("check", "name"),
    [("ping_database", "database"), ("ping_channel_layer", "channel_layer")],
)
async def test_a_hanging_check_is_cut_off(
    async_client, monkeypatch, stuck, check, name
):
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(health, check, stuck[check])
    loop = asyncio.get_running_loop()
    started = loop.time()
    response = await async_client.get("/readyz")
    assert loop.time() - started < 5
    assert response.status_code == 503
    assert document(response)["checks"][name] == "error: no answer within 0.2s"


def get_readyz(port: int) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/readyz")
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


@pytest.fixture
def postgres_database() -> Iterator[PostgresDatabase]:
    """A new, empty database; fails (never skips) without PostgreSQL."""
    database = PostgresDatabase.from_url(PG_URL)
    database = PostgresDatabase(database.admin_url, f"seats_health_{uuid.uuid4().hex}")
    try:
        database.create()
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL} ({error})")
    yield database
    database.drop()


def test_readyz_against_postgresql_and_redis(tmp_path, postgres_database):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({error})")
    backends = {
        "DATABASE_URL": postgres_database.url,
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": redis_prefix(),
    }
    with live_server(tmp_path / "up", seeds=(), **backends) as server:
        status, body = get_readyz(server.worker.port)
    assert (status, body) == (
        200,
        {"status": "ready", "checks": {"database": "ok", "channel_layer": "ok"}},
    )

    # Nobody listens on a port just freed: every connection is refused.
    closed = f"redis://127.0.0.1:{free_port()}/0"
    backends["REDIS_URL"] = closed
    with live_server(tmp_path / "down", seeds=(), **backends) as server:
        status, body = get_readyz(server.worker.port)
    assert status == 503
    assert body == {
        "status": "not_ready",
        "checks": {"database": "ok", "channel_layer": "error: ConnectionError"},
    }


def test_the_readiness_probe_reaches_every_redis_shard():
    from channels_redis.utils import _consistent_hash

    from api.health import PROBE_GROUP, probe_groups

    assert probe_groups(1) == [PROBE_GROUP]
    for shards in (2, 3, 5):
        groups = probe_groups(shards)
        assert sorted(_consistent_hash(g, shards) for g in groups) == list(
            range(shards)
        )
