"""One active sweeper per database: a PostgreSQL advisory lock elects it.

Correctness does not depend on this (each sweep claims its rows with SKIP
LOCKED, so two sweeps never release a seat twice); it keeps a second
`run_sweeper` (a deploy mistake, a rolling restart) on standby instead of
sharing django-apscheduler's job store, which APScheduler does not support.
SQLite has no advisory locks and is single-machine: there, every sweeper leads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings

# An arbitrary constant naming "the seats sweeper" among advisory locks.
SWEEPER_LOCK_KEY = 0x5EA75_5EE9
# Connection parameters that only make sense for Django's own cursors.
_DJANGO_ONLY_PARAMS = frozenset({"cursor_factory", "context", "prepare_threshold"})


class Leadership:
    """Holds the lock on a dedicated connection for as long as it is open."""

    def __init__(self) -> None:
        self._conn = None

    @property
    def enabled(self) -> bool:
        return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

    def acquire(
        self,
        *,
        wait: Callable[[], None] | None = None,
        poll: float = 2.0,
        stop: threading.Event | None = None,
    ) -> bool:
        """Block until this process leads (True) or `stop` is set (False).

        Calls `wait()` once if it has to wait. Database errors propagate: the
        caller backs off and tries again with a fresh connection.
        """
        if not self.enabled:
            return True
        stop = stop or threading.Event()
        self._conn = self.connect()
        told = False
        while not self._try():
            if wait is not None and not told:
                wait()
                told = True
            if stop.wait(poll):
                return False
        return True

    def connect(self) -> Any:
        """A connection of its own, with every option the project's has.

        Django's own connection parameters carry the OPTIONS of DATABASE_URL
        (sslmode, options, ...); the pool is not used, since the lock lives
        exactly as long as this one connection.
        """
        import psycopg
        from django.db import connection

        params = {
            key: value
            for key, value in connection.get_connection_params().items()
            if key not in _DJANGO_ONLY_PARAMS
        }
        params.setdefault("application_name", "seats-sweeper-leader")
        return psycopg.connect(**params, autocommit=True)

    def still_leading(self) -> bool:
        """False once the lock's connection is gone (the lock went with it)."""
        if self._conn is None:
            return not self.enabled
        try:
            self._conn.execute("SELECT 1")
        except Exception:
            return False
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # already gone with the lock: nothing to free
                pass
            self._conn = None

    def _try(self) -> bool:
        assert self._conn is not None, "acquire() connects first"
        row = self._conn.execute(
            "SELECT pg_try_advisory_lock(%s)", [SWEEPER_LOCK_KEY]
        ).fetchone()
        return bool(row[0])
