"""Racing threads for the last places of a standing area: never oversold."""

from __future__ import annotations

from functools import partial

import pytest

from seats import services
from seats.models import Seat
from seats.services.places import Places
from tests.conftest import later
from tests.seats.test_concurrency import race
from tests.standing import FLOOR, club_event

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 40


def test_racers_for_one_place_each_sell_exactly_the_last_places(hold_settings):
    club = club_event(capacity=60)
    services.hold_seats(
        event_id=club.id,
        holder="early",
        seat_ids=[],
        places=[Places(FLOOR, 10)],
        now=later(0),
    )
    # 80 racers for the last 50.
    calls = [
        partial(
            services.hold_seats,
            event_id=club.id,
            holder=f"racer{i}",
            seat_ids=[],
            places=[Places(FLOOR, 1)],
            now=later(1),
        )
        for i in range(80)
    ]

    outcomes = race(*calls)

    assert [o for o in outcomes if o[0] not in ("ok", "refused")] == []
    assert sum(kind == "ok" for kind, _ in outcomes) == 50
    assert {error.code for kind, error in outcomes if kind == "refused"} == {
        "not_enough_places"
    }
    taken = Seat.objects.filter(event=club, area=FLOOR).exclude(holder="")
    assert taken.count() == 60
    assert taken.values("holder").distinct().count() == 51


def test_racers_for_several_places_never_oversell(hold_settings):
    club = club_event(capacity=80)
    # 30 of the 80 go first: 50 are left for the race.
    for n in range(3):
        services.hold_seats(
            event_id=club.id,
            holder=f"early{n}",
            seat_ids=[],
            places=[Places(FLOOR, 10)],
            now=later(0),
        )
    calls = [
        partial(
            services.hold_seats,
            event_id=club.id,
            holder=f"racer{i}",
            seat_ids=[],
            places=[Places(FLOOR, 1 + i % 3)],  # 1, 2 or 3: 80 asked for in all
            now=later(1),
        )
        for i in range(RACERS)
    ]

    outcomes = race(*calls)

    assert [o for o in outcomes if o[0] not in ("ok", "refused")] == []
    won = [result for kind, result in outcomes if kind == "ok"]
    granted = sum(len(result.seat_ids) for result in won)
    taken = Seat.objects.filter(event=club, area=FLOOR).exclude(holder="")
    # Never more than there are; what was granted is what is held. (A racer
    # may be refused while places it would fit are being taken by others that
    # then need fewer: places are never promised twice, so one may be left.)
    assert taken.count() == 30 + granted <= 80
    assert granted >= 50 - 2
    refusals = {error.code for kind, error in outcomes if kind == "refused"}
    assert refusals <= {"not_enough_places", "busy"}
    # Each winner holds exactly the places it was told, as many as it asked.
    by_holder: dict[str, list[int]] = {}
    for seat in taken:
        by_holder.setdefault(seat.holder, []).append(seat.id)
    for i, (kind, result) in enumerate(outcomes):
        if kind == "ok":
            assert sorted(by_holder[f"racer{i}"]) == sorted(result.seat_ids)
            assert len(result.seat_ids) == 1 + i % 3
