"""hold_best: the picker's choice, held all or nothing like any click."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from seats import services
from seats.errors import BadRequest, NoAdjacentSeats, TooManySeats
from seats.models import Event, Hold, Seat
from seats.services import holds
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


def test_a_block_taken_before_it_is_held_is_chosen_again(
    event, seat_ids, monkeypatch, announcements, django_capture_on_commit_callbacks
):
    """Someone takes a seat of the chosen block between the read and the hold."""
    pick = holds.best_block
    choices = []

    def pick_then_lose_a_seat(seats, count, **kwargs):
        chosen = pick(seats, count, **kwargs)
        choices.append(chosen)
        if len(choices) == 1:
            services.hold_seats(
                event_id=event.id, holder="bob", seat_ids=chosen[1:2], now=later(0)
            )
        return chosen

    monkeypatch.setattr(holds, "best_block", pick_then_lose_a_seat)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.hold_best(
            event_id=event.id, holder="alice", count=3, now=later(1)
        )

    assert [labels(c) for c in choices] == [["A2", "A3", "A4"], ["B2", "B3", "B4"]]
    assert result.seat_ids == choices[1]
    assert sorted(
        Seat.objects.filter(holder="alice").values_list("id", flat=True)
    ) == sorted(result.seat_ids)
    bob = list(Seat.objects.filter(holder="bob").values_list("id", flat=True))
    assert labels(bob) == ["A3"]
    assert [(c.reason, c.holders) for c in announcements] == [
        ("held", ("bob",)),
        ("held", ("alice",)),
    ]


def test_losing_every_attempt_says_seats_are_going_fast(event, seat_ids, monkeypatch):
    pick = holds.best_block
    choices = []

    def pick_then_lose_it(seats, count, **kwargs):
        chosen = pick(seats, count, **kwargs)
        choices.append(chosen)
        services.hold_seats(
            event_id=event.id,
            holder=f"rival-{len(choices)}",
            seat_ids=chosen[:1],
            now=later(0),
        )
        return chosen

    monkeypatch.setattr(holds, "best_block", pick_then_lose_it)
    with pytest.raises(NoAdjacentSeats) as error:
        services.hold_best(event_id=event.id, holder="alice", count=2, now=later(1))

    assert "going fast" in error.value.message
    assert len(choices) == 3  # the default number of attempts, each a new choice
    assert len({tuple(c) for c in choices}) == 3
    assert not Seat.objects.filter(holder="alice").exists()
    assert not Hold.objects.filter(holder="alice").exists()


def test_a_refusal_for_too_many_seats_says_how_many_you_hold(event, seat_ids, settings):
    settings.SEAT_MAX_PER_HOLDER = 4
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:3], now=later(0)
    )
    with pytest.raises(
        TooManySeats, match=r"at most 4 seats .* \(you hold 3\)\.$"
    ) as a:
        services.hold_seats(
            event_id=event.id, holder="alice", seat_ids=seat_ids[5:7], now=later(1)
        )
    assert a.value.seat_ids == sorted(seat_ids[5:7])  # the seats it would add
    with pytest.raises(TooManySeats, match=r"\(you hold 3\)\.$") as best:
        services.hold_best(event_id=event.id, holder="alice", count=2, now=later(1))
    assert best.value.seat_ids == []  # nothing was chosen for you
    with pytest.raises(TooManySeats, match=r"at most 4 seats for this event\.$"):
        services.hold_best(event_id=event.id, holder="bob", count=5, now=later(1))


def test_the_demo_hall_gives_the_centre_of_its_premium_front_row():
    # The Grand Hall's rows curve around the stage: their ends are nearer the
    # top of the plan than their middles, which once won "four together".
    call_command("seed_demo", "--force", stdout=StringIO())
    event = Event.objects.latest("pk")
    result = services.hold_best(
        event_id=event.id, holder="alice", count=4, now=later(0)
    )
    chosen = Seat.objects.filter(id__in=result.seat_ids).select_related("category")
    assert {(s.section, s.row, s.category.name) for s in chosen} == {
        ("Stalls", "A", "Premium")
    }
    row_size = Seat.objects.filter(event=event, section="Stalls", row="A").count()
    middle = (row_size + 1) / 2
    assert sorted(s.number for s in chosen) == [
        int(middle - 1.5),
        int(middle - 0.5),
        int(middle + 0.5),
        int(middle + 1.5),
    ]
