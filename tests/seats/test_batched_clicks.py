"""An event's clicks on one serving loop, sent in turn (seats.batched_clicks):
the clicks that arrive while one is in flight go together in one call of
`seats_click_batch`, each answered, versioned and announced as if alone;
a call that meets a lock held too long is sent again click by click; a
queued click waits the call bound in all; a click cancelled before its
call is left out, one cancelled after it is still announced; and many
clicks gathered at random leave the database and the announcements
agreeing, versions without a gap."""

from __future__ import annotations

import asyncio
import random

import pytest

from seats import batched_clicks, loop_db, services
from seats.errors import Busy, DatabaseTimeout, SeatsUnavailable
from seats.models import Activity, Seat

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LOCK = "SELECT id FROM seats_seat WHERE id = %s FOR UPDATE"


@pytest.fixture
def calls(monkeypatch) -> list[tuple[str, int]]:
    """Every call sent on the loop's connections: ("alone", 1) or
    ("together", how many clicks)."""
    sent: list[tuple[str, int]] = []
    fetch_one, fetch_all = loop_db.fetch_one, loop_db.fetch_all

    async def one(sql, args):
        sent.append(("alone", 1))
        return await fetch_one(sql, args)

    async def many(sql, args):
        sent.append(("together", len(args[1])))
        return await fetch_all(sql, args)

    monkeypatch.setattr(loop_db, "fetch_one", one)
    monkeypatch.setattr(loop_db, "fetch_all", many)
    return sent


def hold(event, holder, seat_ids):
    return services.hold_on_loop(event_id=event.id, holder=holder, seat_ids=seat_ids)


def release(event, holder, seat_ids):
    return services.release_on_loop(event_id=event.id, holder=holder, seat_ids=seat_ids)


def holders(event) -> dict[int, str]:
    return dict(Seat.objects.filter(event=event).values_list("id", "holder"))


async def behind_a_lock(other, first, later, *, held_for: float = 0.2):
    """Start `first` (a click on a seat `other` has locked), then `later`
    (coroutines) while it waits; let the lock go; every outcome, in order."""
    started = asyncio.ensure_future(first)
    await asyncio.sleep(held_for)  # its statement is out, waiting
    queued = [asyncio.ensure_future(click) for click in later]
    await asyncio.sleep(0.05)
    other.rollback()
    results = await asyncio.gather(started, *queued, return_exceptions=True)
    return results


def test_clicks_arriving_meanwhile_go_together_each_answered_and_announced(
    run, event, seat_ids, announcements, calls, other_connection
):
    other = other_connection()
    other.execute(LOCK, [seat_ids[0]])
    first, *later = run(
        behind_a_lock(
            other,
            hold(event, "alice", seat_ids[:1]),
            [
                hold(event, "bob", seat_ids[1:3]),
                hold(event, "carol", seat_ids[3:4]),
                release(event, "bob", seat_ids[2:3]),
                hold(event, "dave", seat_ids[2:3]),
            ],
        )
    )
    assert calls == [("alone", 1), ("together", 4)]
    assert first.seat_ids == seat_ids[:1]
    bob, carol, freed, dave = later
    assert (bob.seat_ids, carol.seat_ids, freed, dave.seat_ids) == (
        seat_ids[1:3],
        seat_ids[3:4],
        seat_ids[2:3],
        seat_ids[2:3],
    )
    assert {sid: h for sid, h in holders(event).items() if h} == {
        seat_ids[0]: "alice",
        seat_ids[1]: "bob",
        seat_ids[2]: "dave",
        seat_ids[3]: "carol",
    }
    # One version each, in the order they came, announced in that order.
    assert [(c.version, c.reason, c.holders[0]) for c in announcements] == [
        (1, "held", "alice"),
        (2, "held", "bob"),
        (3, "held", "carol"),
        (4, "released", "bob"),
        (5, "held", "dave"),
    ]
    assert list(
        Activity.objects.filter(event=event).order_by("version", "seat_id")
        .values_list("version", "kind")
    ) == [(1, "held"), (2, "held"), (2, "held"), (3, "held"), (4, "released"),
          (5, "held")]  # fmt: skip
    event.refresh_from_db()
    assert event.version == 5
    # The event's line is forgotten once idle.
    assert all(not lines for lines in batched_clicks._lines.values())


def test_in_one_call_the_first_click_for_a_seat_has_it_and_the_rest_are_refused(
    run, event, seat_ids, announcements, calls, other_connection
):
    other = other_connection()
    other.execute(LOCK, [seat_ids[0]])
    _, *later = run(
        behind_a_lock(
            other,
            hold(event, "alice", seat_ids[:1]),
            [hold(event, name, seat_ids[5:7]) for name in ("bob", "carol", "dave")],
        )
    )
    assert calls == [("alone", 1), ("together", 3)]
    bob, carol, dave = later
    assert bob.seat_ids == seat_ids[5:7]
    for refused in (carol, dave):
        assert isinstance(refused, SeatsUnavailable)
        assert refused.seat_ids == seat_ids[5:7]
    assert [c.version for c in announcements] == [1, 2]
    assert Seat.objects.filter(holder="bob").count() == 2
    assert not Seat.objects.filter(holder__in=["carol", "dave"]).exists()


def test_a_call_that_meets_a_lock_held_too_long_goes_again_click_by_click(
    run, event, seat_ids, settings, calls, other_connection
):
    settings.SEAT_LOCK_TIMEOUT_SECONDS = 0.3
    other, stuck = other_connection(), other_connection()
    other.execute(LOCK, [seat_ids[0]])
    stuck.execute(LOCK, [seat_ids[4]])
    first, locked, free = run(
        behind_a_lock(
            other,
            hold(event, "alice", seat_ids[:1]),
            [hold(event, "bob", seat_ids[4:5]), hold(event, "carol", seat_ids[5:6])],
            held_for=0.1,
        )
    )
    assert calls == [("alone", 1), ("together", 2), ("alone", 1), ("alone", 1)]
    assert first.seat_ids == seat_ids[:1]
    # Only the click on the locked seat is busy; nothing of the call stayed.
    assert isinstance(locked, Busy)
    assert free.seat_ids == seat_ids[5:6]
    assert not Seat.objects.filter(holder="bob").exists()
    assert Activity.objects.filter(event=event).count() == 2


def test_a_call_holds_at_most_the_clicks_the_setting_allows(
    run, event, seat_ids, settings, calls, other_connection
):
    settings.SEAT_LOOP_CLICKS_PER_CALL = 2
    other = other_connection()
    other.execute(LOCK, [seat_ids[0]])
    results = run(
        behind_a_lock(
            other,
            hold(event, "alice", seat_ids[:1]),
            [hold(event, f"h{i}", seat_ids[i : i + 1]) for i in range(1, 6)],
        )
    )
    assert calls == [("alone", 1), ("together", 2), ("together", 2), ("alone", 1)]
    assert [r.seat_ids for r in results] == [seat_ids[i : i + 1] for i in range(6)]


def test_a_queued_click_waits_the_call_bound_in_all_not_once_per_call_ahead(
    run, event, seat_ids, settings, announcements, calls, other_connection
):
    settings.SEAT_DB_CALL_TIMEOUT_SECONDS = 1.0
    settings.SEAT_LOCK_TIMEOUT_SECONDS = 30  # the bound ends the waits, not this
    settings.SEAT_LOOP_CLICKS_PER_CALL = 2
    other, stuck = other_connection(), other_connection()
    other.execute(LOCK, [seat_ids[0]])
    stuck.execute(LOCK, [seat_ids[1]])

    async def queued_behind_two_calls():
        first = asyncio.ensure_future(hold(event, "alice", seat_ids[:1]))
        # Alice's call is out, waiting for seat 0. The others queue half the
        # bound later: their own bound ends half a second after hers, while
        # the call after hers is out (it ends half a second later still).
        await asyncio.sleep(0.5)
        later = [
            asyncio.ensure_future(hold(event, holder, [seat_id]))
            for holder, seat_id in zip(
                ("bob", "carol", "dave"), seat_ids[1:4], strict=True
            )
        ]
        outcomes = await asyncio.gather(first, *later, return_exceptions=True)
        # Bob's and Carol's call is still out: it commits once seat 1 is free.
        stuck.rollback()
        for _ in range(100):
            if len(announcements) == 2:
                break
            await asyncio.sleep(0.05)
        return outcomes

    alice, bob, carol, dave = run(queued_behind_two_calls())
    # Alice's call took the whole bound; Bob's and Carol's went out after it
    # and were still out when their own bound ended: outcome unknown.
    assert isinstance(alice, DatabaseTimeout)
    assert isinstance(bob, DatabaseTimeout) and isinstance(carol, DatabaseTimeout)
    # Dave queued behind that call: his bound ended before his call could go
    # out, so nothing was sent for him and nothing changed.
    assert isinstance(dave, Busy)
    assert calls == [("alone", 1), ("together", 2)]
    assert not Seat.objects.filter(holder="dave").exists()
    # Committed after their callers had their answer, and announced.
    assert holders(event)[seat_ids[1]] == "bob"
    assert holders(event)[seat_ids[2]] == "carol"
    assert [c.holders[0] for c in announcements] == ["bob", "carol"]


def test_a_click_cancelled_before_its_call_is_left_out_one_cancelled_after_is_kept(
    run, event, seat_ids, announcements, calls, other_connection
):
    other, later_lock = other_connection(), other_connection()
    other.execute(LOCK, [seat_ids[0]])
    later_lock.execute(LOCK, [seat_ids[3]])

    async def cancelled():
        first = asyncio.ensure_future(hold(event, "alice", seat_ids[:1]))
        await asyncio.sleep(0.2)
        gone_early = asyncio.ensure_future(hold(event, "bob", seat_ids[1:2]))
        gone_late = asyncio.ensure_future(hold(event, "carol", seat_ids[2:3]))
        waits = asyncio.ensure_future(hold(event, "dave", seat_ids[3:4]))
        await asyncio.sleep(0.05)
        gone_early.cancel()  # still queued: never sent
        other.rollback()
        await first
        await asyncio.sleep(0.2)  # the call is out, waiting for seat 3
        gone_late.cancel()  # its call goes on without it
        await asyncio.sleep(0.05)
        later_lock.rollback()
        return await waits

    dave = run(cancelled())
    assert dave.seat_ids == seat_ids[3:4]
    assert calls == [("alone", 1), ("together", 2)]
    assert not Seat.objects.filter(holder="bob").exists()
    # Committed without its caller, and still announced.
    assert Seat.objects.get(id=seat_ids[2]).holder == "carol"
    assert [(c.version, c.holders[0]) for c in announcements] == [
        (1, "alice"),
        (2, "carol"),
        (3, "dave"),
    ]


async def together(clicks):
    return await asyncio.gather(*clicks, return_exceptions=True)


def test_clicks_gathered_at_random_leave_the_database_and_announcements_agreeing(
    run, event, seat_ids, announcements, calls
):
    chance = random.Random(20261207)
    names = ["ann", "ben", "cat", "dan", "eve"]
    answered = 0
    for _ in range(8):
        held = holders(event)
        clicks = []
        for name in chance.sample(names, chance.randint(3, 5)):
            own = [sid for sid, h in held.items() if h == name]
            free = [sid for sid, h in held.items() if not h]
            if own and (chance.random() < 0.4 or not free):
                clicks.append(release(event, name, chance.sample(own, 1)))
            elif free:
                clicks.append(hold(event, name, chance.sample(free, 1)))
        for _ in range(chance.randint(0, 3)):  # some race for one seat
            clicks.append(hold(event, chance.choice(names), chance.sample(seat_ids, 1)))
        outcomes = run(together(clicks))
        answered += sum(
            o is not None and not isinstance(o, Exception) for o in outcomes
        )
    # Versions without a gap, and the changes replayed give the database.
    assert [c.version for c in announcements] == list(range(1, len(announcements) + 1))
    assert len(announcements) == answered > 20
    assert max(n for way, n in calls if way == "together") >= 3
    replayed = dict.fromkeys(seat_ids, "")
    for change in announcements:
        for seat in change.seats:
            replayed[seat.id] = seat.holder or ""
    assert replayed == holders(event)
    event.refresh_from_db()
    assert event.version == len(announcements)
