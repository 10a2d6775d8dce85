"""Tables: seats laid out around them; a table sold whole is held and freed whole."""

from __future__ import annotations

import math

import pytest

from plans.document import Table, table_seats
from seats import services
from seats.errors import NoAdjacentSeats, WholeTable
from seats.models import Seat
from tests.conftest import later
from tests.standing import club_event, table_seat_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(hold_settings):
    return club_event(capacity=4)


def hold(event, holder, ids, at=0.0):
    return services.hold_seats(
        event_id=event.id, holder=holder, seat_ids=ids, now=later(at)
    )


def release(event, holder, ids, at=1.0):
    return services.release_seats(
        event_id=event.id, holder=holder, seat_ids=ids, now=later(at)
    )


def test_round_table_seats_sit_evenly_around_it_clockwise_from_the_top():
    table = Table("t", "T", 4, "c", 100.0, 100.0, radius=20.0)

    seats = table_seats(table)

    assert [key for key, *_ in seats] == ["t-1", "t-2", "t-3", "t-4"]
    (_, _, x1, y1), (_, _, x2, y2) = seats[0], seats[1]
    assert (x1, y1) == (100.0, 100.0 - 34.0)  # top; radius + the gap
    assert x2 > 100 and math.isclose(y2, 100.0, abs_tol=1e-6)  # then right
    for _, _, x, y in seats:
        assert math.isclose(math.hypot(x - 100, y - 100), 34.0)


def test_rectangle_table_seats_line_its_long_sides():
    table = Table("r", "R", 5, "c", 0.0, 0.0, shape="rectangle", width=60, height=20)

    seats = table_seats(table)

    tops = [s for s in seats if s[3] < 0]
    bottoms = [s for s in seats if s[3] > 0]
    assert (len(tops), len(bottoms)) == (3, 2)
    assert [s[2] for s in tops] == sorted(s[2] for s in tops)  # left to right
    assert [s[2] for s in bottoms] == sorted((s[2] for s in bottoms), reverse=True)


def test_an_event_gets_the_tables_seats_labelled_by_table(club):
    seats = list(Seat.objects.filter(event=club, table="t1").order_by("number"))

    assert [s.label for s in seats] == [
        "Table 1-1",
        "Table 1-2",
        "Table 1-3",
        "Table 1-4",
    ]
    assert {s.row for s in seats} == {"Table 1"} and all(s.whole_table for s in seats)
    assert not Seat.objects.filter(event=club, table="t2", whole_table=True).exists()


def test_a_whole_table_is_held_in_one_request(club):
    ids = table_seat_ids(club, "t1")

    held = hold(club, "alice", ids)

    assert sorted(held.seat_ids) == ids


def test_part_of_a_whole_table_is_refused_naming_the_rest(club):
    ids = table_seat_ids(club, "t1")

    with pytest.raises(WholeTable) as refused:
        hold(club, "alice", ids[:2])

    assert refused.value.seat_ids == ids[2:]
    assert "Table 1 is sold whole" in refused.value.message
    assert not Seat.objects.filter(event=club, holder="alice").exists()


def test_a_whole_table_is_released_whole_or_not_at_all(club):
    ids = table_seat_ids(club, "t1")
    hold(club, "alice", ids)

    with pytest.raises(WholeTable):
        release(club, "alice", ids[:1])
    assert Seat.objects.filter(event=club, holder="alice").count() == 4

    release(club, "alice", ids)
    assert not Seat.objects.filter(event=club, holder="alice").exists()


def test_a_table_sold_seat_by_seat_takes_any_of_its_seats(club):
    ids = table_seat_ids(club, "t2")

    hold(club, "alice", ids[:1])
    hold(club, "bob", ids[1:3])
    release(club, "bob", ids[1:2], at=2)

    assert Seat.objects.filter(event=club, table="t2").exclude(holder="").count() == 2


def test_finding_seats_together_never_offers_part_of_a_whole_table(club, settings):
    # Only the table is left: the balcony row and the other table are taken.
    others = list(
        Seat.objects.filter(event=club, area="")
        .exclude(table="t1")
        .values_list("id", flat=True)
    )
    for n, start in enumerate(range(0, len(others), 10)):
        hold(club, f"crowd{n}", others[start : start + 10])

    with pytest.raises(NoAdjacentSeats):
        services.hold_best(event_id=club.id, holder="alice", count=2, now=later(1))


def test_part_of_a_whole_table_is_not_booked_either(club):
    ids = table_seat_ids(club, "t1")
    hold(club, "alice", ids)

    with pytest.raises(WholeTable, match="book all its seats"):
        services.book_seats(
            event_id=club.id, holder="alice", seat_ids=ids[:1], now=later(1)
        )

    assert not Seat.objects.filter(event=club, booking__isnull=False).exists()
    booked = services.book_seats(
        event_id=club.id, holder="alice", seat_ids=ids, now=later(2)
    )
    assert sorted(booked.seat_ids) == ids
