"""The plain clicks answered on the serving loop (services.on_loop, on the
loop's own asyncpg connections, seats.loop_db): the same statement and the
same reading of its answer as the usual way's first step, committed and
announced at once; anything else left to the usual way (None); and the
connections' faults: a terminated backend, a lock held too long, a
database slower than the call's bound, every connection busy (a short
wait for the next one given back, then the usual way)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seats import loop_db, services
from seats.errors import Busy, DatabaseTimeout, SeatsUnavailable
from seats.models import Hold, Seat
from seats.waiting import services as waiting
from tests.seats.test_services import everything

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """Every statement sent on the loop's connections."""
    sent: list[str] = []
    fetch_one = loop_db.fetch_one

    async def counted(sql, args):
        sent.append(sql)
        return await fetch_one(sql, args)

    monkeypatch.setattr(loop_db, "fetch_one", counted)
    return sent


@pytest.fixture
def alone(settings):
    """Every click sent alone and at once, so the clicks of one event meet
    the connections' limits (as they did before seats.batched_clicks)."""
    settings.SEAT_LOOP_CLICKS_PER_CALL = 1


def hold(event, holder, seat_ids):
    return services.hold_on_loop(event_id=event.id, holder=holder, seat_ids=seat_ids)


def release(event, holder, seat_ids):
    return services.release_on_loop(event_id=event.id, holder=holder, seat_ids=seat_ids)


def test_a_plain_hold_and_release_are_answered_on_the_loop_committed_and_announced(
    run, event, seat_ids, announcements, statements
):
    with CaptureQueriesContext(connection) as django_queries:
        held = run(hold(event, "alice", [seat_ids[1], seat_ids[0], seat_ids[1]]))
    assert django_queries.captured_queries == []  # nothing on Django's connection
    assert held.seat_ids == seat_ids[:2]
    row = Hold.objects.get(event=event, holder="alice")
    assert (held.token, held.held_until, held.max_until) == (
        row.token,
        row.expires_at,
        row.max_expires_at,
    )
    assert (
        sorted(Seat.objects.filter(holder="alice").values_list("id", flat=True))
        == seat_ids[:2]
    )

    assert run(release(event, "alice", seat_ids[:2])) == seat_ids[:2]
    assert not Seat.objects.filter(holder="alice").exists()
    labels = dict(Seat.objects.filter(event=event).values_list("id", "label"))
    # Announced at once, with labels and versions, as the usual way does.
    assert [
        (c.version, c.reason, [(s.id, s.label) for s in c.seats]) for c in announcements
    ] == [
        (1, "held", [(sid, labels[sid]) for sid in seat_ids[:2]]),
        (2, "released", [(sid, labels[sid]) for sid in seat_ids[:2]]),
    ]
    assert [sql.split("(")[0] for sql in statements] == [
        "SELECT * FROM seats_click_hold",
        "SELECT * FROM seats_click_free",
    ]


def test_a_taken_seat_is_refused_on_the_loop_as_the_usual_way_refuses_it(
    run, event, seat_ids
):
    services.hold_seats(event_id=event.id, holder="bob", seat_ids=seat_ids[1:3])
    Seat.objects.filter(pk=seat_ids[3]).update(blocked=True)
    before = everything()
    for wanted in (seat_ids[:2], seat_ids[:3], seat_ids[3:4]):
        with pytest.raises(SeatsUnavailable) as on_loop:
            run(hold(event, "alice", wanted))
        with pytest.raises(SeatsUnavailable) as usual:
            services.hold_seats(event_id=event.id, holder="alice", seat_ids=wanted)
        assert (on_loop.value.message, on_loop.value.seat_ids) == (
            usual.value.message,
            usual.value.seat_ids,
        )
    assert everything() == before


def test_a_seat_taken_while_the_click_waited_for_its_lock_is_named_on_the_loop(
    run, event, seat_ids, other_connection
):
    # Bob's hold of the seat is made and not yet committed: Alice's click
    # reads it free, then waits for its row lock.
    bob = other_connection()
    bob.execute(
        "SELECT * FROM seats_click_hold(%s, 'bob', %s::bigint[], now(), 'tok-bob',"
        " now() + interval '5 minutes', now() + interval '15 minutes', 10, '5s')",
        [event.id, f"{{{seat_ids[0]}}}"],
    )

    watcher = other_connection()
    watcher.autocommit = True

    async def raced():
        alice = asyncio.ensure_future(hold(event, "alice", seat_ids[:2]))
        # Her statement is out and waiting for the row lock (past its read).
        for _ in range(200):
            await asyncio.sleep(0.025)
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                " 'seats-loop' AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting:
                break
        assert waiting, "the click never waited for the lock"
        bob.commit()
        return await alice

    run(loop_db.warm())
    with pytest.raises(SeatsUnavailable) as refused:
        run(raced())
    # The same answer the usual way gives now, not a trip the long way.
    with pytest.raises(SeatsUnavailable) as usual:
        services.hold_seats(event_id=event.id, holder="alice", seat_ids=seat_ids[:2])
    assert refused.value.seat_ids == usual.value.seat_ids == seat_ids[:1]
    assert refused.value.message == usual.value.message
    assert not Seat.objects.filter(holder="alice").exists()


def test_what_needs_judging_is_left_to_the_usual_way_unchanged(
    run, event, seat_ids, statements
):
    services.hold_seats(event_id=event.id, holder="bob", seat_ids=seat_ids[:1])
    before = everything()
    # Someone else's seat, an unknown seat: not answered here.
    assert run(release(event, "alice", seat_ids[:1])) is None
    assert run(hold(event, "alice", [seat_ids[2], 10**12])) is None
    assert everything() == before
    # A room that is on: not answered, and the event is remembered, so its
    # next click sends nothing to the loop's connections.
    waiting.configure(event_id=event.id, enabled=True)
    assert run(hold(event, "alice", seat_ids[2:3])) is None
    sent = len(statements)
    assert run(hold(event, "alice", seat_ids[2:3])) is None
    assert len(statements) == sent
    assert everything() == before


def test_turned_off_nothing_is_answered_on_the_loop(run, event, seat_ids, settings):
    settings.SEAT_LOOP_DB_CONNECTIONS = 0
    assert not loop_db.enabled()
    assert run(hold(event, "alice", seat_ids[:1])) is None
    assert not Seat.objects.filter(holder="alice").exists()


def test_a_terminated_backend_fails_no_click(run, event, seat_ids):
    run(hold(event, "alice", seat_ids[:1]))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'seats-loop' AND datname = current_database()"
        )
        assert cursor.fetchone()[0] >= 1
    # At once: the loop has not yet read the server's goodbye.
    assert run(hold(event, "alice", seat_ids[1:2])).seat_ids == seat_ids[1:2]
    assert run(release(event, "alice", seat_ids[:2])) == seat_ids[:2]


def test_a_row_lock_held_too_long_is_busy_and_changes_nothing(
    run, event, seat_ids, settings, row_locked
):
    settings.SEAT_LOCK_TIMEOUT_SECONDS = 0.2
    row_locked(seat_ids[0])
    before = everything()
    with pytest.raises(Busy):
        run(hold(event, "alice", seat_ids[:2]))
    assert everything() == before
    # The connection is still good for the next click.
    assert run(hold(event, "alice", seat_ids[2:3])).seat_ids == seat_ids[2:3]


def test_a_database_slower_than_the_bound_answers_timeout(
    run, event, seat_ids, settings, row_locked
):
    settings.SEAT_LOCK_TIMEOUT_SECONDS = 30
    settings.SEAT_DB_CALL_TIMEOUT_SECONDS = 0.3
    row_locked(seat_ids[0])
    with pytest.raises(DatabaseTimeout):
        run(hold(event, "alice", seat_ids[:1]))
    # The connection that timed out is closed, not reused; the next is fresh.
    pool = next(iter(loop_db._by_loop.values()))
    assert (pool.opened, pool.idle) == (0, [])
    assert run(hold(event, "alice", seat_ids[1:2])).seat_ids == seat_ids[1:2]


def test_with_every_connection_busy_longer_than_the_wait_a_click_goes_the_usual_way(
    run, event, seat_ids, settings, row_locked, alone
):
    settings.SEAT_LOOP_DB_CONNECTIONS = 1
    settings.SEAT_LOOP_DB_WAIT_SECONDS = 0.1
    settings.SEAT_LOCK_TIMEOUT_SECONDS = 1
    row_locked(seat_ids[0])

    async def both():
        waiting_for_the_lock = asyncio.ensure_future(hold(event, "alice", seat_ids[:1]))
        await asyncio.sleep(0.2)  # its statement is out, waiting for the lock
        second = await hold(event, "bob", seat_ids[1:2])
        with pytest.raises(Busy):
            await waiting_for_the_lock
        return second

    assert run(both()) is None
    assert not Seat.objects.filter(holder="bob").exists()
    # Once the connection is free again, the same click is answered.
    assert run(hold(event, "bob", seat_ids[1:2])).seat_ids == seat_ids[1:2]


def test_a_click_that_finds_every_connection_busy_waits_for_the_next_given_back(
    run, event, seat_ids, settings, row_locked, alone, statements
):
    settings.SEAT_LOOP_DB_CONNECTIONS = 1
    settings.SEAT_LOOP_DB_WAIT_SECONDS = 5
    settings.SEAT_LOCK_TIMEOUT_SECONDS = 0.5
    row_locked(seat_ids[0])

    answered: list[str] = []

    async def click(holder: str, seat: int):
        held = await hold(event, holder, [seat])
        answered.append(holder)
        return held

    async def in_turn():
        first = asyncio.ensure_future(hold(event, "alice", seat_ids[:1]))
        await asyncio.sleep(0.1)  # its statement is out, waiting for the lock
        later = [
            asyncio.ensure_future(click(holder, seat))
            for holder, seat in (("bob", seat_ids[1]), ("carol", seat_ids[2]))
        ]
        with pytest.raises(Busy):
            await first
        return [await each for each in later]

    bob, carol = run(in_turn())
    # Answered on the loop, in turn, on its one connection.
    assert (bob.seat_ids, carol.seat_ids) == (seat_ids[1:2], seat_ids[2:3])
    assert answered == ["bob", "carol"]
    assert len(statements) == 3
    pool = next(iter(loop_db._by_loop.values()))
    assert (pool.opened, len(pool.idle), len(pool.waiters)) == (1, 1, 0)


def test_a_click_cancelled_while_waiting_for_a_connection_takes_none_away(
    run, event, seat_ids, settings, row_locked, alone
):
    settings.SEAT_LOOP_DB_CONNECTIONS = 1
    settings.SEAT_LOOP_DB_WAIT_SECONDS = 5
    settings.SEAT_LOCK_TIMEOUT_SECONDS = 0.3
    row_locked(seat_ids[0])

    async def cancelled():
        first = asyncio.ensure_future(hold(event, "alice", seat_ids[:1]))
        await asyncio.sleep(0.1)
        waiting = asyncio.ensure_future(hold(event, "bob", seat_ids[1:2]))
        await asyncio.sleep(0.05)
        queue = next(iter(loop_db._by_loop.values())).waiters
        assert len(queue) == 1
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert not queue  # out of the queue at once
        with pytest.raises(Busy):
            await first

    run(cancelled())
    pool = next(iter(loop_db._by_loop.values()))
    assert (pool.opened, len(pool.idle), len(pool.waiters)) == (1, 1, 0)
    assert run(hold(event, "bob", seat_ids[1:2])).seat_ids == seat_ids[1:2]


def test_a_click_waits_no_longer_than_half_its_bound_so_its_statement_has_time(
    run, event, seat_ids, settings, row_locked, alone
):
    settings.SEAT_LOOP_DB_CONNECTIONS = 1
    settings.SEAT_LOOP_DB_WAIT_SECONDS = 5
    settings.SEAT_LOCK_TIMEOUT_SECONDS = 30
    settings.SEAT_DB_CALL_TIMEOUT_SECONDS = 0.6
    row_locked(seat_ids[0])

    async def both():
        stuck = asyncio.ensure_future(hold(event, "alice", seat_ids[:1]))
        await asyncio.sleep(0.05)
        second = await hold(event, "bob", seat_ids[1:2])
        with pytest.raises(DatabaseTimeout):
            await stuck
        return second

    # Not a timeout of its own: it went the usual way with time to spare.
    assert run(both()) is None


def test_clicks_waiting_when_the_connections_close_go_the_usual_way(
    run, event, seat_ids, settings, row_locked, alone
):
    settings.SEAT_LOOP_DB_CONNECTIONS = 1
    settings.SEAT_LOOP_DB_WAIT_SECONDS = 5
    settings.SEAT_LOCK_TIMEOUT_SECONDS = 0.3
    row_locked(seat_ids[0])

    async def closed_meanwhile():
        busy = asyncio.ensure_future(hold(event, "alice", seat_ids[:1]))
        await asyncio.sleep(0.05)
        waiting = asyncio.ensure_future(hold(event, "bob", seat_ids[1:2]))
        await asyncio.sleep(0.05)
        pool = next(iter(loop_db._by_loop.values()))
        loop_db.close_all()
        for _ in range(5):  # a few turns of the loop, not the lock's timeout
            await asyncio.sleep(0)
        assert waiting.done() and not busy.done()
        assert await waiting is None
        with pytest.raises(Busy):
            await busy
        return pool

    pool = run(closed_meanwhile())
    # The busy connection was closed as it came back, not kept.
    assert (pool.opened, pool.idle, list(pool.waiters)) == (0, [], [])


def test_a_click_cancelled_midway_closes_its_connection(
    run, event, seat_ids, settings, row_locked
):
    settings.SEAT_LOCK_TIMEOUT_SECONDS = 30
    row_locked(seat_ids[0])

    async def cancelled():
        click = asyncio.ensure_future(hold(event, "alice", seat_ids[:1]))
        await asyncio.sleep(0.2)  # its statement is out, waiting for the lock
        click.cancel()
        with pytest.raises(asyncio.CancelledError):
            await click

    run(cancelled())
    # Not left counted as busy (the loop would run out of connections).
    pool = next(iter(loop_db._by_loop.values()))
    assert (pool.opened, pool.idle) == (0, [])
    assert run(hold(event, "alice", seat_ids[1:2])).seat_ids == seat_ids[1:2]


def test_connections_of_a_loop_already_closed_are_let_go(event, seat_ids):
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(hold(event, "alice", seat_ids[:1])) is not None
    finally:
        loop.close()  # its connection still idle in the loop's pool
    pool = loop_db._by_loop[loop]
    left = list(pool.idle)
    loop_db.close_all()  # nothing can run on that loop: no error
    assert not loop_db._by_loop
    # The test's own clean-up: the server ends the sessions of sockets shut
    # down (their descriptors close when the transports are collected), so
    # the test database can be dropped at the end of the run.
    for conn in left:
        conn._transport.get_extra_info("socket").shutdown(socket.SHUT_RDWR)


def test_the_loops_connections_take_the_settings_libpq_options_give():
    assert loop_db._server_settings(
        "-c search_path=seats,public -cstatement_timeout=5s --ignored"
    ) == {"search_path": "seats,public", "statement_timeout": "5s"}
    assert loop_db._server_settings("") == {}


def _loop_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = 'seats-loop' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def test_warming_opens_the_connections_before_the_first_click(
    run, event, seat_ids, settings
):
    """A serving process opens them as it starts (realtime.serving), so the
    first second of a sale finds them ready, each with its first statement
    run; the clicks then open no more."""
    settings.SEAT_LOOP_DB_CONNECTIONS = 3
    assert run(loop_db.warm()) == 3
    assert _loop_connections() == 3
    assert run(hold(event, "alice", seat_ids[:1])).seat_ids == seat_ids[:1]
    assert run(loop_db.warm()) == 0  # all open already
    assert _loop_connections() == 3


def test_warming_a_database_that_refuses_leaves_the_connections_to_the_clicks(
    run, event, seat_ids, settings, monkeypatch
):
    settings.SEAT_LOOP_DB_CONNECTIONS = 2
    kwargs = loop_db._connect_kwargs()
    refused = {**kwargs, "port": _closed_port(), "host": "127.0.0.1"}
    monkeypatch.setattr(loop_db, "_connect_kwargs", lambda: refused)
    assert run(loop_db.warm()) == 0
    assert _loop_connections() == 0
    # Nothing was counted open: the clicks open connections as before once
    # the database answers (a new pool here, as the settings changed back).
    assert loop_db._by_loop and all(p.opened == 0 for p in loop_db._by_loop.values())
    loop_db.close_all()
    monkeypatch.setattr(loop_db, "_connect_kwargs", lambda: kwargs)
    assert run(hold(event, "alice", seat_ids[:1])).seat_ids == seat_ids[:1]


def test_nothing_is_warmed_where_the_loop_answers_nothing(run, settings):
    settings.SEAT_LOOP_DB_CONNECTIONS = 0
    assert run(loop_db.warm()) == 0
    assert _loop_connections() == 0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Idle:
    """A connection as the pool sees it: open."""

    def is_closed(self) -> bool:
        return False


def test_a_connection_handed_to_a_click_cancelled_just_then_goes_back_to_the_pool():
    loop = asyncio.new_event_loop()
    pool = loop_db.LoopConnections({}, 1, loop)
    conn = _Idle()

    async def handed_then_cancelled():
        wait = asyncio.ensure_future(pool._given_back(5))
        await asyncio.sleep(0)  # waiting
        pool._hand_on(conn)  # handed over; before the click resumes, cancelled
        wait.cancel()
        with pytest.raises(asyncio.CancelledError):
            await wait

    try:
        loop.run_until_complete(handed_then_cancelled())
    finally:
        loop.close()
    assert (pool.idle, list(pool.waiters)) == ([conn], [])
