"""On PostgreSQL the seat operations' statements are prepared once per
connection (seats.sql): parsed and planned once, then sent as values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.env import database_from_url
from seats import services
from seats.sql import prepared_cursor

pytestmark = pytest.mark.django_db


def prepared() -> dict[str, list[str]]:
    """This connection's prepared statements: their text and parameter types."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, parameter_types::text[] FROM pg_prepared_statements"
        )
        return {text: list(types) for text, types in cursor.fetchall()}


@pytest.mark.postgres
def test_every_integer_goes_as_a_bigint_so_a_shape_is_prepared_once():
    sql = "SELECT %s + 0 AS n"
    answers = []
    with prepared_cursor() as cursor:
        # int2, int4 and int8 by value, had psycopg chosen.
        for value in (5, 70_000, 2**40):
            cursor.execute(sql, [value])
            answers.append(cursor.fetchone()[0])
    assert answers == [5, 70_000, 2**40]
    mine = {text: types for text, types in prepared().items() if "+ 0 AS n" in text}
    assert mine == {"SELECT $1 + 0 AS n": ["bigint"]}


@pytest.mark.postgres
def test_the_seat_operations_leave_their_statements_prepared(event, seat_ids):
    services.hold_seats(event_id=event.id, holder="a", seat_ids=seat_ids[:2])
    services.release_seats(event_id=event.id, holder="a", seat_ids=seat_ids[:1])
    services.extend_hold(event_id=event.id, holder="a")  # the long way
    services.release_seats(event_id=event.id, holder="a", seat_ids=seat_ids[1:2])
    texts = prepared()
    assert any(text.startswith("SELECT * FROM seats_click_hold(") for text in texts)
    assert any(text.startswith("SELECT * FROM seats_click_free(") for text in texts)
    assert any(text.startswith("WITH bumped AS (UPDATE") for text in texts)
    assert any("set_config('lock_timeout'" in text for text in texts)


@pytest.mark.postgres
def test_statements_run_in_turn_each_answer_their_own_values():
    first, second = "SELECT %s::bigint * 2", "SELECT %s::text || '!'"
    answers = []
    for value in range(3):
        with prepared_cursor() as cursor:
            cursor.execute(first, [value])
            answers.append(cursor.fetchone()[0])
            cursor.execute(second, [str(value)])
            answers.append(cursor.fetchone()[0])
    assert answers == [0, "0!", 2, "1!", 4, "2!"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_gets_cursors_of_its_own():
    """A pooled connection, once closed, may serve another thread: a cursor
    kept from it must never run this thread's statements."""
    sql = "SELECT %s::bigint + 1"
    with prepared_cursor() as cursor:
        cursor.execute(sql, [1])
        assert cursor.fetchone()[0] == 2
        assert cursor.cursor.connection is connection.connection
    connection.close()
    with prepared_cursor() as cursor:
        cursor.execute(sql, [2])
        assert cursor.fetchone()[0] == 3
        assert cursor.cursor.connection is connection.connection


@pytest.mark.postgres
def test_captured_queries_show_the_values_sent():
    with CaptureQueriesContext(connection) as captured:
        with prepared_cursor() as cursor:
            cursor.execute("SELECT %s::text", ["seat A1"])
    assert [q["sql"] for q in captured.captured_queries] == ["SELECT 'seat A1'::text"]


def test_on_sqlite_or_postgresql_the_cursor_answers_the_same():
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s", [41])
        assert int(cursor.fetchone()[0]) == 41


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", 0), ("?prepare_threshold=none", None), ("?prepare_threshold=3", 3)],
)
def test_the_database_url_can_turn_preparing_off(query, expected):
    options = database_from_url("postgres://u@db:5432/seats" + query)["OPTIONS"]
    assert options["prepare_threshold"] == expected
