"""hold_best: the picker's choice, held all or nothing like any click."""

from __future__ import annotations

import pytest

from seats import services
from seats.errors import BadRequest, NoAdjacentSeats, TooManySeats
from seats.models import Seat
from tests.conftest import later

pytestmark = pytest.mark.django_db


def labels(ids: list[int]) -> list[str]:
    by_id = dict(Seat.objects.filter(id__in=ids).values_list("id", "label"))
    return [by_id[i] for i in ids]


def test_holds_the_front_centre_block(
    event, announcements, django_capture_on_commit_callbacks
):
    # The test venue: rows A (premium) and B, seats 1-5 each.
    with django_capture_on_commit_callbacks(execute=True):
        result = services.hold_best(
            event_id=event.id, holder="alice", count=3, now=later(0)
        )
    assert labels(result.seat_ids) == ["A2", "A3", "A4"]
    assert result.held_until == later(300)
    assert set(Seat.objects.filter(holder="alice").values_list("id", flat=True)) == set(
        result.seat_ids
    )
    assert [c.reason for c in announcements] == ["held"]


def test_skips_taken_seats_and_respects_the_category(event, seat_ids):
    services.hold_seats(
        event_id=event.id, holder="bob", seat_ids=seat_ids[1:4], now=later(0)
    )
    result = services.hold_best(
        event_id=event.id, holder="alice", count=2, now=later(1)
    )
    assert labels(result.seat_ids) == ["B2", "B3"]
    premium = services.hold_best(
        event_id=event.id, holder="carol", count=1, category="premium", now=later(2)
    )
    assert labels(premium.seat_ids) in (["A1"], ["A5"])


def test_no_block_left_is_a_clear_error_and_changes_nothing(event, seat_ids):
    services.hold_seats(
        event_id=event.id, holder="bob", seat_ids=seat_ids[2:3], now=later(0)
    )
    services.hold_seats(
        event_id=event.id, holder="eve", seat_ids=seat_ids[7:8], now=later(0)
    )
    with pytest.raises(NoAdjacentSeats) as error:
        services.hold_best(event_id=event.id, holder="alice", count=3, now=later(1))
    assert error.value.code == "no_adjacent_seats"
    assert not Seat.objects.filter(holder="alice").exists()
    # An expired hold frees its seats for the picker without any sweep.
    result = services.hold_best(
        event_id=event.id, holder="alice", count=3, now=later(301)
    )
    assert len(result.seat_ids) == 3


def test_limits_and_unknown_categories(event, seat_ids):
    with pytest.raises(TooManySeats):
        services.hold_best(event_id=event.id, holder="alice", count=11, now=later(0))
    with pytest.raises(TooManySeats):
        services.hold_best(event_id=event.id, holder="alice", count=0, now=later(0))
    with pytest.raises(BadRequest):
        services.hold_best(
            event_id=event.id, holder="alice", count=1, category="balcony", now=later(0)
        )
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:8], now=later(0)
    )
    with pytest.raises(TooManySeats):
        services.hold_best(event_id=event.id, holder="alice", count=3, now=later(1))
