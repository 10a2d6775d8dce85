"""Standing areas: places held by quantity, all or nothing, never oversold."""

from __future__ import annotations

import pytest

from seats import services
from seats.errors import (
    BadRequest,
    NotEnoughPlaces,
    SeatsUnavailable,
    TooManySeats,
)
from seats.models import Activity, Seat, SeatStatus
from seats.services.places import Places
from tests.conftest import later
from tests.standing import FLOOR, club_event, place_ids, seat_ids_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(hold_settings):
    return club_event(capacity=20)


def free_places(event, at: float) -> int:
    now = later(at)
    return sum(
        1
        for s in Seat.objects.filter(event=event, area=FLOOR)
        if s.status_at(now) is SeatStatus.AVAILABLE
    )


def hold_places(event, holder, quantity, *, at=0.0, seat_ids=(), area=FLOOR):
    return services.hold_seats(
        event_id=event.id,
        holder=holder,
        seat_ids=list(seat_ids),
        places=[Places(area, quantity)],
        now=later(at),
    )


def test_an_event_gets_one_place_row_per_unit_of_capacity(club):
    places = list(Seat.objects.filter(event=club, area=FLOOR).order_by("number"))

    assert len(places) == 20
    assert [p.label for p in places[:2]] == ["Floor 1", "Floor 2"]
    assert {p.run for p in places} == {""}  # no neighbours: no seat rules
    assert {p.category.code for p in places} == {"standing"}
    assert {p.section for p in places} == {"Floor"}


def test_holding_places_takes_that_many_free_ones(club):
    result = hold_places(club, "alice", 4)

    assert len(result.seat_ids) == 4
    assert set(result.seat_ids) <= set(place_ids(club))
    assert free_places(club, 1) == 16
    held = Seat.objects.filter(id__in=result.seat_ids)
    assert {s.holder for s in held} == {"alice"}
    activity = Activity.objects.filter(event=club, kind=Activity.Kind.HELD)
    assert sorted(a.seat_id for a in activity) == sorted(result.seat_ids)


def test_more_places_join_the_holders_running_hold(club):
    first = hold_places(club, "alice", 2)
    second = hold_places(club, "alice", 3, at=10)

    assert set(first.seat_ids).isdisjoint(second.seat_ids)
    assert second.held_until == first.held_until
    assert free_places(club, 11) == 15


def test_places_and_seats_are_held_together(club):
    seat = seat_ids_of(club)[0]

    result = hold_places(club, "alice", 2, seat_ids=[seat])

    assert seat in result.seat_ids and len(result.seat_ids) == 3


def test_a_taken_seat_refuses_the_places_with_it(club):
    seat = seat_ids_of(club)[0]
    services.hold_seats(event_id=club.id, holder="bob", seat_ids=[seat], now=later(0))

    with pytest.raises(SeatsUnavailable):
        hold_places(club, "alice", 2, seat_ids=[seat], at=1)

    assert free_places(club, 2) == 20


def test_asking_for_more_than_are_left_changes_nothing(club):
    hold_places(club, "bob", 10)
    hold_places(club, "carol", 7, at=1)

    with pytest.raises(NotEnoughPlaces) as refused:
        hold_places(club, "alice", 4, at=2)

    assert refused.value.code == "not_enough_places"
    assert "Only 3 places are left in Floor" in refused.value.message
    assert free_places(club, 3) == 3
    assert not Seat.objects.filter(event=club, holder="alice").exists()


def test_a_sold_out_area_says_so(club):
    hold_places(club, "bob", 10)
    hold_places(club, "carol", 10, at=1)

    with pytest.raises(NotEnoughPlaces, match="Floor is sold out"):
        hold_places(club, "alice", 1, at=2)


def test_places_of_an_expired_hold_are_free_before_any_sweep(club):
    hold_places(club, "bob", 10)
    hold_places(club, "carol", 10, at=200)

    # bob's hold ran out at 300 s (carol's runs to 500); nothing swept it.
    result = hold_places(club, "alice", 10, at=301)

    assert len(result.seat_ids) == 10
    assert free_places(club, 302) == 0


def test_the_sweeper_frees_places_like_seats(club):
    hold_places(club, "bob", 5)

    swept = services.release_expired(now=later(301))

    assert len(swept) == 5
    assert free_places(club, 302) == 20
    assert not Seat.objects.filter(event=club, holder="bob").exists()


def test_places_count_against_the_per_holder_limit(club):
    hold_places(club, "alice", 8)

    with pytest.raises(TooManySeats):
        hold_places(club, "alice", 3, at=1)
    with pytest.raises(TooManySeats):
        hold_places(club, "bob", 11, at=1)

    assert free_places(club, 2) == 12


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5, "2"])
def test_a_bad_quantity_is_a_bad_request(club, quantity):
    with pytest.raises(BadRequest):
        hold_places(club, "alice", quantity)

    assert free_places(club, 1) == 20


def test_an_unknown_area_is_a_bad_request(club):
    with pytest.raises(BadRequest, match="no standing area 'pit'"):
        hold_places(club, "alice", 1, area="pit")


def test_held_places_are_booked_and_released_like_seats(club):
    held = hold_places(club, "alice", 3)

    booking = services.book_seats(
        event_id=club.id, holder="alice", seat_ids=held.seat_ids, now=later(5)
    )
    assert booking.seat_ids == sorted(held.seat_ids)
    assert free_places(club, 6) == 17

    more = hold_places(club, "alice", 2, at=10)
    services.release_seats(
        event_id=club.id, holder="alice", seat_ids=more.seat_ids, now=later(11)
    )
    assert free_places(club, 12) == 17


def test_finding_seats_together_never_offers_places(club):
    result = services.hold_best(event_id=club.id, holder="alice", count=1, now=later(0))

    assert set(result.seat_ids) <= set(seat_ids_of(club))


def test_places_kept_for_a_channel_go_only_to_its_holders(club):
    from seats.services import channels

    presale = channels.create_channel(
        event_id=club.id,
        name="Members",
        code_digest="d" * 64,
        releases_at=later(1000),
        now=later(0),
    )
    channels.keep_seats(
        event_id=club.id,
        channel_id=presale.id,
        seat_ids=place_ids(club)[:15],
        now=later(0),
    )

    with pytest.raises(NotEnoughPlaces, match="Only 5 places are left"):
        hold_places(club, "public", 6, at=1)
    member = services.hold_seats(
        event_id=club.id,
        holder="member",
        seat_ids=[],
        places=[Places(FLOOR, 10)],
        now=later(2),
        channels={presale.id},
    )
    assert set(member.seat_ids) <= set(place_ids(club)[:15])
    # Once the channel releases them, everybody may have them.
    assert len(hold_places(club, "public", 10, at=1001).seat_ids) == 10
