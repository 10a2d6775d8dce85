"""Row locks: only inside a transaction, and on PostgreSQL a bounded wait."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import connection, transaction

from seats import services
from seats.errors import Busy
from seats.models import Activity, Event, Hold, Seat
from seats.services.locking import lock_holds, lock_seats, locked_transaction

LOCK_TIMEOUT = 0.5


def everything() -> tuple:
    return (
        list(
            Seat.objects.order_by("pk").values_list(
                "id", "hold_id", "holder", "held_until", "booking_id"
            )
        ),
        list(Hold.objects.order_by("pk").values_list("id", "holder", "expires_at")),
        list(Activity.objects.order_by("pk").values_list("id", flat=True)),
        list(Event.objects.order_by("pk").values_list("id", "version")),
    )


# Outside the test's own transaction: pytest-django's plain `db` wraps every
# test in one, and the helpers would see themselves inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_locks_outside_a_transaction_are_refused(event, seat_ids):
    with pytest.raises(RuntimeError, match="transaction.atomic"):
        lock_seats(event.id, seat_ids[:1])
    with pytest.raises(RuntimeError, match="transaction.atomic"):
        lock_holds([1])


def other_connection() -> psycopg.Connection:
    """A plain connection to the test database, outside Django and its pool."""
    params = connection.get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    return psycopg.connect(**params)


def show_lock_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_seat_locked_elsewhere_is_busy_after_the_lock_timeout(
    event, seat_ids, settings
):
    """A stuck row lock becomes `busy` for the caller, not a hung request."""
    settings.SEAT_LOCK_TIMEOUT_SECONDS = LOCK_TIMEOUT
    seat = seat_ids[0]
    before = everything()
    default_timeout = show_lock_timeout()
    blocker = other_connection()
    blocker.execute("SELECT id FROM seats_seat WHERE id = %s FOR UPDATE", [seat])
    # Without a bounded wait the hold would hang on the lock; the watchdog
    # lets it through after ten timeouts, so a broken bound fails (the hold
    # then succeeds) instead of hanging the suite.
    watchdog = threading.Timer(10 * LOCK_TIMEOUT, blocker.rollback)
    watchdog.start()
    try:
        started = time.monotonic()
        with pytest.raises(Busy) as caught:
            services.hold_seats(event_id=event.id, holder="alice", seat_ids=[seat])
        waited = time.monotonic() - started
    finally:
        watchdog.cancel()
        blocker.rollback()
        blocker.close()

    assert caught.value.code == "busy"
    # Gave up after about the configured timeout, well before the watchdog.
    assert waited < 4 * LOCK_TIMEOUT, waited
    assert everything() == before
    # Once the other transaction is gone the same request goes through.
    held = services.hold_seats(event_id=event.id, holder="alice", seat_ids=[seat])
    assert held.seat_ids == [seat]
    # SET LOCAL: the bound ended with the committed transaction; a pooled
    # connection goes back with the server's own lock_timeout.
    assert show_lock_timeout() == default_timeout


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_deadlock_postgresql_broke_is_busy_not_a_server_error(event, seat_ids):
    """PostgreSQL ends one side of a deadlock (40P01); nothing was written."""
    before = everything()
    with pytest.raises(Busy) as caught:
        with locked_transaction():
            lock_seats(event.id, seat_ids[:1])
            with connection.cursor() as cursor:
                cursor.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' "
                    "USING ERRCODE = '40P01'; END $$"
                )
    assert caught.value.code == "busy"
    assert everything() == before


def deadlock_once(monkeypatch, module, name):
    """`module.name` raises PostgreSQL's deadlock error (40P01) on its first
    call, inside the service's transaction, and works after that."""
    real = getattr(module, name)
    calls = []

    def first_a_deadlock(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            with connection.cursor() as cursor:
                cursor.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' "
                    "USING ERRCODE = '40P01'; END $$"
                )
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, first_a_deadlock)
    return calls


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_deadlocks_victim_is_run_once_more_and_announced_once(
    event, seat_ids, monkeypatch, announcements
):
    """A staff block (a path that can meet a deadlock) succeeds on its second
    run; the first wrote and announced nothing."""
    from seats.services import staff

    calls = deadlock_once(monkeypatch, staff, "lock_seats")
    blocked = staff.block_seats(
        event_id=event.id, seat_ids=seat_ids[:2], reason="desk", staff="sam"
    )
    assert len(calls) == 2
    assert sorted(blocked) == sorted(seat_ids[:2])
    assert [change.reason for change in announcements] == ["blocked"]
    assert Event.objects.get(pk=event.id).version == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deadlocks_in_a_row_or_one_inside_a_callers_transaction_are_busy(
    event, seat_ids, monkeypatch
):
    from seats.services import staff

    before = everything()
    real = staff.lock_seats

    def always_a_deadlock(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' "
                "USING ERRCODE = '40P01'; END $$"
            )
        return real(*args, **kwargs)

    monkeypatch.setattr(staff, "lock_seats", always_a_deadlock)
    with pytest.raises(Busy):
        staff.block_seats(
            event_id=event.id, seat_ids=seat_ids[:1], reason="x", staff="sam"
        )
    monkeypatch.setattr(staff, "lock_seats", real)
    calls = deadlock_once(monkeypatch, staff, "lock_seats")
    # Inside a caller's transaction only the caller can start again.
    with pytest.raises(Busy):
        with transaction.atomic():
            staff.block_seats(
                event_id=event.id, seat_ids=seat_ids[:1], reason="x", staff="sam"
            )
    assert len(calls) == 1
    assert everything() == before
