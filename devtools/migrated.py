"""Databases migrated once per process, then copied instead of migrated again.

Migrating an empty database runs every migration (seconds of CPU); a suite
and a benchmark run make dozens of them, all alike. The first database a
process migrates, of each kind, is kept as a template: a copy of the SQLite
file, or a PostgreSQL template database. A later database that was never
migrated starts as a copy of it, and `migrate` then finds nothing to do.
Only databases that were never migrated are replaced: one with a schema of
its own is migrated as it is.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from collections.abc import Mapping
from pathlib import Path

import psycopg

from devtools.databases import CONNECT_TIMEOUT, PostgresDatabase

_sqlite_template: Path | None = None
_postgres_template: PostgresDatabase | None = None


def is_new(env: Mapping[str, str]) -> bool:
    """Whether the database `env` names was never migrated."""
    url = env.get("DATABASE_URL")
    if url:
        database = PostgresDatabase.from_url(url)
        return database.exists() and not _migrated(database)
    path = _sqlite_path(env)
    return not path.exists() or path.stat().st_size == 0


def restore(env: Mapping[str, str]) -> bool:
    """Make the new database `env` names a migrated copy, if a template exists;
    True when it now is one."""
    url = env.get("DATABASE_URL")
    if url:
        return _restore_postgres(PostgresDatabase.from_url(url))
    return _restore_sqlite(_sqlite_path(env))


def keep(env: Mapping[str, str]) -> None:
    """Keep the database `env` names, new and just migrated (nothing else
    written yet), as this process's template of its kind."""
    url = env.get("DATABASE_URL")
    if url:
        _keep_postgres(PostgresDatabase.from_url(url))
    else:
        _keep_sqlite(_sqlite_path(env))


def _sqlite_path(env: Mapping[str, str]) -> Path:
    return Path(env["SEATS_VAR_DIR"]) / "db.sqlite3"


def _restore_sqlite(path: Path) -> bool:
    if _sqlite_template is None:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    _copy_sqlite(_sqlite_template, path)
    return True


def _keep_sqlite(path: Path) -> None:
    global _sqlite_template
    if _sqlite_template is not None or not path.exists():
        return
    folder = Path(tempfile.mkdtemp(prefix="seats-migrated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    _copy_sqlite(path, folder / "db.sqlite3")
    _sqlite_template = folder / "db.sqlite3"


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (whatever sits in the WAL)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _restore_postgres(database: PostgresDatabase) -> bool:
    template = _postgres_template
    if template is None or template.admin_url != database.admin_url:
        return False
    database.create(template=template)
    return True


def _keep_postgres(database: PostgresDatabase) -> None:
    global _postgres_template
    if _postgres_template is not None:
        return
    template = PostgresDatabase(database.admin_url, f"{database.name}_migrated")
    try:
        template.create(template=database)
    except psycopg.Error:
        # Someone is connected to it already (a server started early): no
        # template this time, the next database is migrated as usual.
        return
    atexit.register(template.drop)
    _postgres_template = template


def _migrated(database: PostgresDatabase) -> bool:
    with psycopg.connect(database.url, connect_timeout=CONNECT_TIMEOUT) as conn:
        found = conn.execute("SELECT to_regclass('public.django_migrations')")
        row = found.fetchone()
    return row is not None and row[0] is not None
