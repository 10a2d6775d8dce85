"""Database work of the sockets, off the event loop, without a shared queue.

Channels runs every `database_sync_to_async` call of a process on one
thread, so one slow query (a row lock held elsewhere, a database that does
not answer) makes every other socket of the worker wait, pings and
handshakes included. On PostgreSQL socket work runs on a bounded pool of
threads instead (one fewer than the pooled connections), so a request
waits only for its own query; the lock order of the services keeps it
deadlock-free. SQLite
serialises writers anyway and keeps the single thread.

A database that stops answering (a partition, a frozen server) would still
tie up a request forever; each call is therefore bounded by
SEAT_DB_CALL_TIMEOUT_SECONDS and then answered with a `timeout` error while
its thread finishes or fails on its own.

On that pool a call is handed to its thread directly, the caller's context
copied: asgiref's general machinery for thread-sensitive code (a task per
call for the timeout, context restored back, thread-locals set up for
`async_to_sync`) cost a tenth of a contention worker's CPU, and no database
work of the sockets needs any of it. The threads (realtime.db_threads) keep
their connection while calls queue for them and hand it back when idle;
they are one fewer than the pooled connections, so the rest of the process
(views, heartbeats) always finds one.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import connection

import metrics
from realtime.db_threads import DatabaseThreads
from seats.errors import DatabaseTimeout

T = TypeVar("T")

_executor: DatabaseThreads | None = None


def db_call(function: Callable[..., T]) -> Callable[..., Any]:
    """`function` as an awaitable, run where this process does its database work.

    On SQLite that is Channels' database_sync_to_async (one thread); on
    PostgreSQL the threads of `_pool`, where a broken connection is dropped
    after the call and a healthy one goes back to the pool once its thread
    has nothing more to do.
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
            functools.partial(timed, *args, **kwargs),
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


@functools.cache
def db_function(function: Callable[..., T]) -> Callable[..., Any]:
    """`db_call(function)` for a module-level function, wrapped once per
    process rather than once per request (the wrapping showed up in a
    worker's profile under contention). Not for closures: each would be
    kept."""
    return db_call(function)


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


def _pool() -> DatabaseThreads:
    global _executor
    if _executor is None:
        size = settings.DATABASES["default"].get("OPTIONS", {}).get("pool", {})
        pooled = int(size.get("max_size", 10)) if isinstance(size, dict) else 10
        # More threads than connections would only wait for the pool; by
        # default one connection fewer, which the rest of the process uses.
        workers = min(settings.SEAT_DB_THREADS or max(1, pooled - 1), pooled)
        _executor = DatabaseThreads(workers)
    return _executor
