"""Scratch PostgreSQL databases: made, found and dropped by name, quoted as such."""

from __future__ import annotations

import os

import psycopg
import pytest

from devtools.databases import PostgresDatabase

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)


def test_a_url_names_its_database_and_its_admin_database():
    database = PostgresDatabase.from_url("postgres://u:p@db.example:6543/seats%20x")
    assert database.name == "seats x"
    assert database.admin_url == "postgres://u:p@db.example:6543/postgres"
    assert database.url == "postgres://u:p@db.example:6543/seats%20x"


@pytest.fixture
def scratch():
    # Upper case, a space and a quote: only a quoted identifier survives them.
    database = PostgresDatabase(ADMIN_URL, f'Devtools "Scratch" {os.getpid()}')
    try:
        database.drop()
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {ADMIN_URL} ({error})")
    yield database
    database.drop()


def test_create_ensure_and_drop(scratch):
    assert not scratch.exists()
    assert scratch.ensure() is True
    assert scratch.ensure() is False
    with psycopg.connect(scratch.url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (scratch.name,)
    scratch.drop()
    assert not scratch.exists()


def test_create_replaces_a_database_even_with_sessions_open(scratch):
    scratch.create()
    with psycopg.connect(scratch.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE leftover (id int)")
        url = scratch.create()
    with psycopg.connect(url) as fresh:
        tables = fresh.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'leftover'"
        ).fetchone()
    assert tables == (0,)
