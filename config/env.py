"""Reading settings from the environment, with working defaults."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    number = int(value)
    if number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    return number


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    number = float(value)
    if number <= minimum:
        raise ValueError(f"{name} must be > {minimum}, got {number}")
    return number


def sqlite_database(path: Path) -> dict:
    """The embedded default: one file, WAL, writers serialised up front."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so two transactions
            # never both read "free" and then race to write.
            "transaction_mode": "IMMEDIATE",
            # Seconds a writer waits for the lock instead of failing at once.
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        },
        # Keep each thread's connection: otherwise Channels and Django close
        # and reopen SQLite (re-running the pragmas) around every request,
        # socket message and sweep. A file database has no server to exhaust.
        "CONN_MAX_AGE": None,
        "TEST": {"NAME": str(path.with_name("test-" + path.name))},
    }


# libpq parameters: give up connecting after 5 s; probe an idle connection
# after 10 s, every 5 s, and drop it after 3 unanswered probes.
CONNECTION_DEFAULTS = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def database_from_url(url: str, *, pool_size: int = 10) -> dict:
    """A PostgreSQL database from `postgres://user:pass@host:port/name?opt=v`.

    Connections come from a psycopg pool of at most `pool_size` per process:
    under ASGI every sync_to_async thread would otherwise keep its own
    persistent connection, and they pile up.
    """
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ValueError(f"DATABASE_URL scheme {parts.scheme!r} is not supported")
    options: dict = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    # A server that stops answering is noticed in seconds, not at the
    # kernel's TCP timeout (minutes); the URL's own values win.
    for key, value in CONNECTION_DEFAULTS.items():
        options.setdefault(key, value)
    # The seat operations' statements are prepared at their first run
    # (seats.sql); `?prepare_threshold=none` turns that off, for example
    # behind a pooler that cannot keep prepared statements.
    options["prepare_threshold"] = _prepare_threshold(options.get("prepare_threshold"))
    options["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 30}
    return {
        "ENGINE": "config.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        # Pooled connections go back to the pool after each request or task.
        "CONN_MAX_AGE": 0,
    }


def _prepare_threshold(value: str | None) -> int | None:
    """psycopg's `prepare_threshold`: 0 (prepare at once) unless the URL says."""
    if value is None:
        return 0
    if value.strip().lower() in {"", "none", "off"}:
        return None
    return int(value)
