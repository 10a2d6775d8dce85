"""The domain tests share the suite's fixtures (tests/conftest.py), and
those of the clicks answered on a serving loop (seats.loop_db)."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from django.db import connection

from seats import loop_db
from seats.services import one_call


@pytest.fixture
def run():
    """Coroutines run on one loop for the whole test, as on a worker's
    serving loop; its connections closed at the end."""
    loop = asyncio.new_event_loop()
    one_call._long_events.clear()
    yield loop.run_until_complete
    loop_db.close_all()
    # Terminated connections close their sockets on the loop's next turn:
    # without one, PostgreSQL kept the sessions (and refused to drop the
    # test database) until the interpreter collected them at exit.
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    one_call._long_events.clear()


@pytest.fixture
def other_connection():
    """Connections of another client of the test database, each in a
    transaction it leaves open until the test commits it or ends."""
    opened = []

    def connect() -> psycopg.Connection:
        params = connection.get_connection_params()
        other = psycopg.connect(
            dbname=params["dbname"],
            host=params.get("host"),
            port=params.get("port"),
            user=params.get("user"),
        )
        opened.append(other)
        return other

    yield connect
    for other in opened:
        other.rollback()
        other.close()


@pytest.fixture
def row_locked(other_connection):
    """Lock a seat's row from another connection until the test ends."""

    def lock(seat_id: int) -> None:
        other = other_connection()
        other.execute("SELECT id FROM seats_seat WHERE id = %s FOR UPDATE", [seat_id])

    return lock
