"""The cursor for SQL statements written once per shape.

The seat operations' hot statements (services.statements, the version bump,
the webhook endpoints) are plain SQL strings, one per shape. On PostgreSQL
they go through a cursor that binds parameters on the server: the
connection prepares each statement the first time it runs and reuses its
plan after that, which cuts the database's CPU per click by about 40 %
(BENCHMARKS.md, "Prepared statements"). Django's other queries keep its
default client-side binding, under which nothing is prepared.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def prepared_cursor() -> AbstractContextManager[Any]:
    """Django's cursor (query capture, error wrapping) for one-shape SQL.

    On PostgreSQL it binds on the server, and statements are prepared at
    their first run (`prepare_threshold` 0 in the database OPTIONS,
    config.env). Every Python int goes as a bigint: psycopg would pick
    int2, int4 or int8 by value, and each mix would be a statement of its
    own. The psycopg cursors are kept, one per statement text, for as long
    as the connection lives (`_KeptCursors`). On SQLite, Django's usual
    cursor.
    """
    # The thread's connection, looked up once (each `connection.x` is a
    # lookup of its own, and this runs for every statement of a click).
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    kept = db.__dict__.get("_kept_cursors")
    if kept is None or kept.raw is not db.connection:
        kept = db.__dict__["_kept_cursors"] = _KeptCursors(db.connection)
    if db.queries_logged:
        return _debug_cursor_class()(kept, db)
    return _cursor_class()(kept, db)


class _KeptCursors:
    """One psycopg cursor per statement text, on one connection.

    A psycopg cursor keeps its adaptation context (which dumper for each
    parameter type, which loader for each column) while it runs the same
    query object again; a new cursor, or another query, builds it afresh,
    and that was a third of each click's time in psycopg. Statements built
    per call (an IN list of n marks) get a cursor of their own once the
    few hot shapes are kept. As with any shared cursor, read a statement's
    rows before running the same statement again.
    """

    LIMIT = 64

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.by_sql: dict[str, Any] = {}

    def for_sql(self, sql: str) -> Any:
        cursor = self.by_sql.get(sql)
        if cursor is None or cursor.closed:
            with_ints_as_bigints = _preparing_cursor_class()
            cursor = with_ints_as_bigints(self.raw)
            if len(self.by_sql) < self.LIMIT:
                self.by_sql[sql] = cursor
        return cursor


@cache
def _preparing_cursor_class() -> type:
    # Imported here: the embedded default runs without psycopg installed.
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )
    from psycopg.types.numeric import Int8Dumper

    class PreparingCursor(ServerBindingCursor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.adapters.register_dumper(int, Int8Dumper)

    return PreparingCursor


@cache
def _cursor_class() -> type:
    from django.db.backends.utils import CursorWrapper

    class KeptCursorWrapper(CursorWrapper):
        """Django's wrapper around the kept cursor for each statement.

        `execute` picks the statement's cursor; `fetchone` and the rest
        then read from it. Leaving the `with` block does not close it.
        """

        def __init__(self, kept: _KeptCursors, db: Any) -> None:
            super().__init__(None, db)
            self.kept = kept

        def execute(self, sql: Any, params: Any = None) -> Any:
            self.cursor = self.kept.for_sql(sql)
            return super().execute(sql, params)

        def executemany(self, sql: Any, param_list: Any) -> Any:
            self.cursor = self.kept.for_sql(sql)
            return super().executemany(sql, param_list)

        def close(self) -> None:
            self.cursor = None

    return KeptCursorWrapper


@cache
def _debug_cursor_class() -> type:
    from django.db.backends.utils import CursorDebugWrapper

    class PreparedDebugCursor(_cursor_class()):  # type: ignore[misc]
        """Logs each statement with its values, as Django's own cursor does.

        (Django reads them back from psycopg's last client-side query,
        which a server-binding cursor does not keep.)
        """

        debug_sql = CursorDebugWrapper.debug_sql

        def execute(self, sql: Any, params: Any = None) -> Any:
            shown = self.db.ops.compose_sql(sql, params)
            with self.debug_sql(shown, params):
                return super().execute(sql, params)

        def executemany(self, sql: Any, param_list: Any) -> Any:
            with self.debug_sql(sql, param_list, many=True):
                return super().executemany(sql, param_list)

    return PreparedDebugCursor


def aware(value: Any) -> datetime | None:
    """A datetime read by a raw cursor, aware as the ORM would give it
    (SQLite answers with text, and an aggregate of a datetime column too)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    moment: datetime = value
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment
