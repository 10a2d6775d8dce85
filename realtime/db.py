"""Database work of the sockets, off the event loop, without a shared queue.

Channels runs every `database_sync_to_async` call of a process on one
thread, so one slow query (a row lock held elsewhere, a database that does
not answer) makes every other socket of the worker wait, pings and
handshakes included. On PostgreSQL socket work runs on a bounded pool of
threads instead, one per pooled connection, so a request waits only for its
own query; the lock order of the services keeps it deadlock-free. SQLite
serialises writers anyway and keeps the single thread.

A database that stops answering (a partition, a frozen server) would still
tie up a request forever; each call is therefore bounded by
SEAT_DB_CALL_TIMEOUT_SECONDS and then answered with a `timeout` error while
its thread finishes or fails on its own.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import connection

import metrics
from seats.errors import DatabaseTimeout

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None


def db_call(function: Callable[..., T]) -> Callable[..., Any]:
    """`function` as an awaitable, run where this process does its database work.

    Like Channels' database_sync_to_async, stale connections are closed before
    and after, so each call takes a healthy connection from the pool.
    """
    timed = _timed(function)
    if connection.vendor != "postgresql":
        return DatabaseSyncToAsync(timed)
    call = DatabaseSyncToAsync(timed, thread_sensitive=False, executor=_pool())
    limit = settings.SEAT_DB_CALL_TIMEOUT_SECONDS
    if limit <= 0:
        return call

    @functools.wraps(function)
    async def bounded(*args: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.wait_for(call(*args, **kwargs), limit)
        except TimeoutError:
            metrics.DB_TIMEOUTS.labels(getattr(function, "__name__", "call")).inc()
            raise DatabaseTimeout() from None

    return bounded


def _timed(function: Callable[..., T]) -> Callable[..., T]:
    operation = getattr(function, "__name__", "call")

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> T:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            metrics.DB_OPERATION.labels(operation).observe(
                time.perf_counter() - started
            )

    return timed


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        size = settings.DATABASES["default"].get("OPTIONS", {}).get("pool", {})
        pooled = int(size.get("max_size", 10)) if isinstance(size, dict) else 10
        # More threads than connections would only wait for the pool.
        workers = min(settings.SEAT_DB_THREADS or pooled, pooled)
        _executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="db")
    return _executor
