"""One rule for seat status, in Python and in SQL, agreeing at every moment."""

from __future__ import annotations

import pytest

from seats import services
from seats.models import Seat, SeatStatus, status_of, status_q
from seats.selectors import events_with_counts
from tests.conftest import later


@pytest.fixture
def mixed(event, seat_ids):
    """Seat 0 booked, 1 held until 300 s, 2 held until 300 s then released,
    the rest free."""
    a, b, c = seat_ids[:3]
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=[a], now=later(0))
    services.book_seats(event_id=event.id, holder="alice", seat_ids=[a], now=later(1))
    services.hold_seats(event_id=event.id, holder="bob", seat_ids=[b, c], now=later(0))
    services.release_seats(event_id=event.id, holder="bob", seat_ids=[c], now=later(2))
    return event


@pytest.mark.parametrize("at", [10, 299, 300, 301])
def test_python_and_sql_agree_on_every_seat(mixed, seat_ids, at):
    now = later(at)
    python = {
        s.id: status_of(booking_id=s.booking_id, held_until=s.held_until, now=now)
        for s in Seat.objects.filter(event=mixed)
    }
    sql = dict(
        Seat.objects.filter(event=mixed).with_status(now).values_list("id", "status")
    )
    assert python == {k: SeatStatus(v) for k, v in sql.items()}
    held = set(
        Seat.objects.filter(event=mixed).held_at(now).values_list("id", flat=True)
    )
    free = set(
        Seat.objects.filter(event=mixed)
        .filter(status_q(SeatStatus.AVAILABLE, now))
        .values_list("id", flat=True)
    )
    assert held == {k for k, v in python.items() if v is SeatStatus.HELD}
    assert free == {k for k, v in python.items() if v is SeatStatus.AVAILABLE}
    # A hold counts until its time and not a moment longer.
    assert (seat_ids[1] in held) == (at < 300)
    counts = events_with_counts(now).get(pk=mixed.pk)
    assert (counts.booked_count, counts.held_count, counts.available_count) == (
        1,
        len(held),
        len(free),
    )


def test_lapsed_and_held_by_follow_the_clock(mixed, seat_ids):
    seats = Seat.objects.filter(event=mixed)
    assert list(seats.held_by("bob", later(299)).values_list("id", flat=True)) == [
        seat_ids[1]
    ]
    assert not seats.held_by("bob", later(300)).exists()
    assert not seats.lapsed_at(later(299)).exists()
    assert list(seats.lapsed_at(later(300)).values_list("id", flat=True)) == [
        seat_ids[1]
    ]


@pytest.mark.parametrize("at", [10, 299, 300, 301])
def test_the_hot_path_statements_follow_the_same_rule(mixed, seat_ids, at):
    """seats.services.statements writes the rule out as SQL of its own."""
    from django.db import transaction

    from seats.models import Hold
    from seats.services import statements
    from seats.services.staff import block_seats

    block_seats(
        event_id=mixed.id,
        seat_ids=[seat_ids[3]],
        reason="desk",
        staff="s",
        now=later(0),
    )
    now = later(at)
    read = statements.select_seats(mixed.id, seat_ids, lock=False)
    python = {
        s.id: status_of(
            booking_id=s.booking_id, held_until=s.held_until, now=now, blocked=s.blocked
        )
        for s in Seat.objects.filter(event=mixed)
    }
    assert [s.id for s in read] == sorted(seat_ids)
    assert {s.id: s.status_at(now) for s in read} == python
    assert python[seat_ids[3]] is SeatStatus.BLOCKED
    held_by_bob = [k for k, v in python.items() if v is SeatStatus.HELD]
    assert statements.count_held_by(mixed.id, "bob", now) == len(held_by_bob)
    assert statements.count_held_by(mixed.id, "nobody", now) == 0
    free = sorted(k for k, v in python.items() if v is SeatStatus.AVAILABLE)
    with transaction.atomic():
        hold = Hold.objects.create(
            token="t" * 32,
            event=mixed,
            holder="carol",
            created_at=now,
            expires_at=later(at + 300),
            max_expires_at=later(at + 600),
        )
        taken = statements.take_free_seats(seat_ids, hold, now)
        assert taken == len(free)
        assert (
            sorted(
                Seat.objects.filter(event=mixed)
                .held_by("carol", now)
                .values_list("id", flat=True)
            )
            == free
        )
        transaction.set_rollback(True)
