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
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


def prepared_cursor() -> AbstractContextManager[Any]:
    """Django's cursor (query capture, error wrapping) for one-shape SQL.

    On PostgreSQL it binds on the server, and statements are prepared at
    their first run (`prepare_threshold` 0 in the database OPTIONS,
    config.env). Every Python int goes as a bigint: psycopg would pick
    int2, int4 or int8 by value, and each mix would be a statement of its
    own. On SQLite, Django's usual cursor.
    """
    # The thread's connection, looked up once (each `connection.x` is a
    # lookup of its own, and this runs for every statement of a click).
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        raw = _preparing_cursor_class()(db.connection)
    if db.queries_logged:
        return _debug_cursor_class()(raw, db)
    return db.make_cursor(raw)


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
def _debug_cursor_class() -> type:
    from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

    class PreparedDebugCursor(CursorDebugWrapper):
        """Logs each statement with its values, as Django's own cursor does.

        (Django reads them back from psycopg's last client-side query,
        which a server-binding cursor does not keep.)
        """

        def execute(self, sql: Any, params: Any = None) -> Any:
            shown = self.db.ops.compose_sql(sql, params)
            with self.debug_sql(shown, params):
                return CursorWrapper.execute(self, sql, params)

    return PreparedDebugCursor
