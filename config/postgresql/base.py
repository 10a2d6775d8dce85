"""Django's PostgreSQL backend, whose pool never hands out a dead connection.

When PostgreSQL ends a session (`pg_terminate_backend`, a restart, a
failover), every idle connection in the pool is dead but does not know it
yet: each would fail the next request that takes it, one HTTP 500 or failed
handshake per stale connection. psycopg_pool's own check costs a round trip
on every checkout and, after a failed check, sleeps a second or more before
the next try. Here the check is free while the connection is healthy: an
idle connection has nothing to read, so a readable socket means the server
has spoken (in practice: its goodbye). Only then is a round trip made, and a
dead connection goes back to the pool broken (which replaces it) and the
next one is taken at once.
"""

from __future__ import annotations

import logging
import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool

logger = logging.getLogger(__name__)


def has_spoken(connection: psycopg.Connection) -> bool:
    """True if the server sent something to this idle connection."""
    try:
        poller = select.poll()
        poller.register(connection.pgconn.socket, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, psycopg.OperationalError):
        return True


def is_alive(connection: psycopg.Connection) -> bool:
    """False for a connection the server has closed; no round trip if quiet."""
    if connection.closed:
        return False
    if not has_spoken(connection):
        return True
    try:
        # Reads what the server sent (a notice is harmless) and asks once.
        ConnectionPool.check_connection(connection)
    except psycopg.Error:
        return False
    return not connection.closed


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        pool = self.pool
        if pool is None:
            return connection
        # Every idle connection may be dead after a blip: try each at most
        # once, then let the next one fail as it would have.
        for _ in range(pool.max_size):
            if is_alive(connection):
                break
            logger.warning("replacing a pooled database connection the server closed")
            connection.close()
            pool.putconn(connection)
            connection = super().get_new_connection(conn_params)
        return connection
