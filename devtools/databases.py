"""Scratch backends: PostgreSQL databases made and dropped by name, Redis dbs flushed.

The one implementation used by the cluster tests, the benchmarks and
scripts/run_cluster.py. Names are quoted as identifiers, never pasted into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlparse

import psycopg
import redis
from psycopg import sql

CONNECT_TIMEOUT = 5


@dataclass(frozen=True)
class PostgresDatabase:
    """The database `name` on the server that `admin_url` reaches."""

    admin_url: str
    name: str

    @classmethod
    def from_url(cls, url: str) -> PostgresDatabase:
        """The database a full URL names, administered through `postgres`."""
        parts = urlparse(url)
        admin_url = parts._replace(path="/postgres").geturl()
        return cls(admin_url, unquote(parts.path.lstrip("/")))

    @property
    def url(self) -> str:
        """The admin URL with this database's name, percent-encoded, as its path."""
        path = "/" + quote(self.name, safe="")
        return urlparse(self.admin_url)._replace(path=path).geturl()

    def exists(self) -> bool:
        with self._admin() as conn:
            found = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.name]
            )
            return found.fetchone() is not None

    def create(self, template: PostgresDatabase | None = None) -> str:
        """Drop it (sessions and all) if it exists, create it empty or as a
        copy of `template` (which must have no sessions open); its URL."""
        statement = sql.SQL("CREATE DATABASE {}").format(self._identifier())
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(template._identifier())
        with self._admin() as conn:
            conn.execute(self._drop_statement())
            conn.execute(statement)
        return self.url

    def ensure(self) -> bool:
        """Create it unless it exists; True when it was created now."""
        if self.exists():
            return False
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(self._identifier()))
        return True

    def drop(self) -> None:
        """Gone, even with sessions still open on it; no error if it never was."""
        with self._admin() as conn:
            conn.execute(self._drop_statement())

    def _admin(self) -> psycopg.Connection:
        # CREATE/DROP DATABASE cannot run inside a transaction block.
        return psycopg.connect(
            self.admin_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT
        )

    def _identifier(self) -> sql.Identifier:
        return sql.Identifier(self.name)

    def _drop_statement(self) -> sql.Composed:
        return sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            self._identifier()
        )


def flush_redis(url: str) -> None:
    """Empty the one Redis db that `url` names (…/13 is db 13), nothing else."""
    client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT)
    try:
        client.flushdb()
    finally:
        client.close()
