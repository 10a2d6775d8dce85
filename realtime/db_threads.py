"""Threads for the sockets' database work that keep their connection while busy.

A pooled connection handed back after every call and taken again for the
next costs the pool's lock, the wake-up of its next waiter and Django's
set-up of the connection: under contention about a tenth of a worker's CPU.
Here a thread keeps its connection for as long as it finds more calls
waiting, and hands it back (Django's `close_old_connections`: to the pool,
or closed if it broke) as soon as it finds none. A connection that failed
or was left inside a transaction is dropped after the call either way, so
the next call starts on a healthy one.

Invariant: a thread holds a connection only while it has work or has just
finished some with more queued; an idle thread holds none.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from queue import Empty, SimpleQueue
from typing import Any

from django.db import close_old_connections, connections

_Work = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class DatabaseThreads(Executor):
    """At most `max_workers` threads, started as calls arrive, never stopped
    (the serving process lives as long as they do)."""

    def __init__(self, max_workers: int, name: str = "db") -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.max_workers = max_workers
        self._name = name
        self._queue: SimpleQueue[_Work] = SimpleQueue()
        self._threads: list[threading.Thread] = []
        # Released by a thread as it goes idle; a call takes one instead of
        # starting another thread (as ThreadPoolExecutor does).
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future[Any] = Future()
        self._queue.put((future, fn, args, kwargs))
        if not self._idle.acquire(blocking=False):
            self._start_thread()
        return future

    def _start_thread(self) -> None:
        with self._lock:
            if len(self._threads) >= self.max_workers:
                return
            thread = threading.Thread(
                target=self._serve,
                name=f"{self._name}_{len(self._threads)}",
                daemon=True,
            )
            self._threads.append(thread)
        thread.start()

    def _serve(self) -> None:
        while True:
            try:
                work = self._queue.get_nowait()
            except Empty:
                # Idle: the connection goes back before the thread waits.
                close_old_connections()
                self._idle.release()
                work = self._queue.get()
            future, fn, args, kwargs = work
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:
                future.set_exception(error)
            else:
                future.set_result(result)
            finally:
                drop_broken_connections()
            del work, future, fn, args, kwargs


def drop_broken_connections() -> None:
    """Close this thread's connections that failed or were left in a transaction."""
    for db in connections.all(initialized_only=True):
        if db.connection is None:
            continue
        if db.errors_occurred or db.get_autocommit() != db.settings_dict["AUTOCOMMIT"]:
            db.close_if_unusable_or_obsolete()
