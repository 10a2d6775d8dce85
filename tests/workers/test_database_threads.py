"""The sockets' database threads on PostgreSQL (realtime.db_threads): a
thread keeps its pooled connection while calls queue for it, hands it back
when idle, and never passes a broken connection on to the next call."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection

from realtime.db_threads import DatabaseThreads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _backend_and_whether_kept(gate: threading.Event | None = None) -> tuple[int, bool]:
    """This thread's backend pid, and whether it had a connection on arrival."""
    kept = connection.connection is not None
    if gate is not None:
        gate.wait(10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0], kept


def test_a_busy_thread_keeps_its_connection_and_an_idle_one_hands_it_back():
    threads = DatabaseThreads(1)
    gate = threading.Event()
    # The first call waits at the gate while twenty more queue behind it.
    futures = [threads.submit(_backend_and_whether_kept, gate)]
    futures += [threads.submit(_backend_and_whether_kept) for _ in range(20)]
    gate.set()
    answers = [f.result(timeout=30) for f in futures]
    assert answers[0][1] is False  # a fresh thread starts with none
    assert all(kept for _, kept in answers[1:]), answers
    assert len({pid for pid, _ in answers}) == 1
    # Nothing queued after the last: the connection went back to the pool,
    # so the next lone call arrives without one.
    pid, kept = threads.submit(_backend_and_whether_kept).result(timeout=30)
    assert kept is False


def test_a_connection_that_broke_is_not_passed_to_the_next_call():
    threads = DatabaseThreads(1)
    gate = threading.Event()

    def break_own_connection() -> None:
        gate.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    broken = threads.submit(break_own_connection)
    after = threads.submit(_backend_and_whether_kept)  # queued behind it
    gate.set()
    with pytest.raises(OperationalError):
        broken.result(timeout=30)
    pid, kept = after.result(timeout=30)
    assert kept is False and pid > 0


def test_calls_beyond_the_threads_wait_their_turn_and_all_are_answered():
    threads = DatabaseThreads(2)
    gate = threading.Event()
    futures = [threads.submit(_backend_and_whether_kept, gate) for _ in range(12)]
    gate.set()
    pids = {f.result(timeout=30)[0] for f in futures}
    assert 1 <= len(pids) <= 2
    assert len(threads._threads) <= 2
