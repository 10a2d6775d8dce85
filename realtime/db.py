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

On that pool a call is handed to its thread directly (the caller's context
copied, stale connections closed before and after, as Channels does):
asgiref's general machinery for thread-sensitive code (a task per call for
the timeout, context restored back, thread-locals set up for
`async_to_sync`) cost a tenth of a contention worker's CPU, and no database
work of the sockets needs any of it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import close_old_connections, connection

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
    limit = settings.SEAT_DB_CALL_TIMEOUT_SECONDS
    executor = _pool()

    @functools.wraps(function)
    async def call(*args: Any, **kwargs: Any) -> Any:
        future = asyncio.get_running_loop().run_in_executor(
            executor,
            contextvars.copy_context().run,
            functools.partial(_with_fresh_connections, timed, args, kwargs),
        )
        if limit <= 0:
            return await future
        bound = asyncio.timeout(limit)
        try:
            async with bound:
                return await future
        except TimeoutError:
            if not bound.expired():
                raise  # the function's own error, not the bound
            metrics.DB_TIMEOUTS.labels(getattr(function, "__name__", "call")).inc()
            raise DatabaseTimeout() from None

    return call


def _with_fresh_connections(
    function: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> T:
    """`function` on a database thread, stale connections closed around it
    (Channels' DatabaseSyncToAsync does the same): a pooled connection goes
    back to the pool after every call, and a broken one is dropped."""
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


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
