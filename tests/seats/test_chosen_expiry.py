"""Holds a shop times itself (`expires_in_minutes`): the bounds, and re-timing.

A shop may choose a new hold's length and later re-time it to any length
from one minute to the cap (SEAT_API_HOLD_MAX_SECONDS) from now. A length
out of bounds is refused before anything is read or locked; a re-timed
hold's seats, its webhook and every open map follow the new expiry.
"""

from __future__ import annotations

import pytest

from seats import services
from seats.errors import BadRequest, ExtendLimit, HoldNotFound
from seats.models import Activity, Booking, Event, Hold, Seat
from seats.services import hold_rows, tokens
from tests.conftest import later

pytestmark = pytest.mark.django_db

MINUTE = 60


@pytest.fixture(autouse=True)
def api_cap(settings):
    settings.SEAT_API_HOLD_MAX_SECONDS = 7200
    return settings


def everything() -> tuple:
    """All mutable state, to show that a refused request changed nothing."""
    return (
        list(
            Seat.objects.order_by("pk").values_list(
                "id", "hold_id", "holder", "held_until", "booking_id"
            )
        ),
        list(
            Hold.objects.order_by("pk").values_list(
                "id", "token", "holder", "expires_at", "max_expires_at"
            )
        ),
        list(Booking.objects.order_by("pk").values_list("id", flat=True)),
        list(Activity.objects.order_by("pk").values_list("id", flat=True)),
        list(Event.objects.order_by("pk").values_list("id", "version")),
    )


def held_until(seat_ids: list[int]) -> set:
    return set(
        Seat.objects.filter(id__in=seat_ids).values_list("held_until", flat=True)
    )


def shop_hold(event, seat_ids, minutes, at=0):
    return services.hold_seats(
        event_id=event.id,
        holder="a_shop",
        seat_ids=seat_ids,
        now=later(at),
        details=True,
        expires_in_minutes=minutes,
    )


# The bounds.


@pytest.mark.parametrize("minutes", [1, 30, 120])
def test_lengths_from_one_minute_to_the_cap_are_taken(minutes):
    times = hold_rows.chosen_times(later(0), minutes)
    assert times.expires_at == later(minutes * MINUTE)
    assert times.max_expires_at == later(7200)


@pytest.mark.parametrize("minutes", [0, -1, 121, 10**30, True, False, 5.0, "5"])
def test_other_lengths_are_refused_with_a_clear_message(minutes):
    with pytest.raises(BadRequest) as caught:
        hold_rows.chosen_times(later(0), minutes)
    assert caught.value.code == "bad_request"
    assert "`expires_in_minutes`" in caught.value.message
    assert "1 to 120" in caught.value.message


def test_the_cap_follows_the_setting(settings):
    settings.SEAT_API_HOLD_MAX_SECONDS = 600
    assert hold_rows.chosen_times(later(0), 10).max_expires_at == later(600)
    with pytest.raises(BadRequest):
        hold_rows.chosen_times(later(0), 11)


# A new hold with a chosen length.


def test_a_new_hold_runs_for_the_chosen_minutes(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = shop_hold(event, seat_ids[:2], 45)

    assert result.held_until == later(45 * MINUTE)
    assert result.max_until == later(7200)
    hold = Hold.objects.get(holder="a_shop")
    assert (hold.expires_at, hold.max_expires_at) == (later(2700), later(7200))
    assert held_until(seat_ids[:2]) == {later(2700)}
    [change] = announcements
    assert change.reason == "held"
    assert {s.held_until for s in change.seats} == {later(2700)}


def test_the_best_seats_for_the_chosen_minutes(event, seat_ids):
    result = services.hold_best(
        event_id=event.id,
        holder="a_shop",
        count=2,
        now=later(0),
        details=True,
        expires_in_minutes=90,
    )
    assert (result.held_until, result.max_until) == (later(5400), later(7200))
    assert held_until(result.seat_ids) == {later(5400)}


def test_without_a_length_a_hold_is_as_before(event, seat_ids):
    result = shop_hold(event, seat_ids[:1], None)
    assert (result.held_until, result.max_until) == (later(300), later(900))


@pytest.mark.parametrize("minutes", [0, 121, True, 2.5])
def test_a_new_hold_with_a_bad_length_changes_nothing(event, seat_ids, minutes):
    before = everything()
    with pytest.raises(BadRequest):
        shop_hold(event, seat_ids[:1], minutes)
    with pytest.raises(BadRequest):
        services.hold_best(
            event_id=event.id,
            holder="a_shop",
            count=1,
            now=later(0),
            expires_in_minutes=minutes,
        )
    assert everything() == before


def test_the_chosen_hold_outlives_the_standard_length(event, seat_ids):
    shop_hold(event, seat_ids[:1], 60)
    # Past SEAT_HOLD_MAX_SECONDS: still held, and bookable.
    booked = services.book_seats(
        event_id=event.id, holder="a_shop", seat_ids=seat_ids[:1], now=later(3000)
    )
    assert booked.seat_ids == seat_ids[:1]


# Re-timing.


def retime(token, minutes, at):
    return tokens.extend(token, later(at), expires_in_minutes=minutes)


def test_re_timing_moves_the_expiry_and_the_maximum(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        token = shop_hold(event, seat_ids[:2], 10).token

    with django_capture_on_commit_callbacks(execute=True):
        result = retime(token, 100, at=300)

    assert result.held_until == later(300 + 6000)
    assert result.max_until == later(300 + 7200)
    assert result.token == token
    hold = Hold.objects.get(token=token)
    assert (hold.expires_at, hold.max_expires_at) == (later(6300), later(7500))
    assert held_until(seat_ids[:2]) == {later(6300)}
    assert list(
        Activity.objects.filter(seat_id=seat_ids[0])
        .order_by("id")
        .values_list("kind", flat=True)
    ) == ["held", "extended"]
    # Announced after the commit, every seat with its new expiry.
    assert [c.reason for c in announcements] == ["held", "extended"]
    assert [(s.id, s.held_until) for s in announcements[1].seats] == [
        (seat_ids[0], later(6300)),
        (seat_ids[1], later(6300)),
    ]


def test_re_timing_may_shorten_the_hold(event, seat_ids):
    token = shop_hold(event, seat_ids[:1], 60).token

    result = retime(token, 1, at=60)

    assert result.held_until == later(120)
    assert held_until(seat_ids[:1]) == {later(120)}
    # Shortened for real: the seat is free once that minute is over.
    with pytest.raises(HoldNotFound):
        tokens.running_hold(token, later(121))


def test_a_re_timed_hold_can_be_re_timed_again_past_the_first_maximum(event, seat_ids):
    token = shop_hold(event, seat_ids[:1], 120).token
    retime(token, 120, at=7000)
    result = retime(token, 120, at=14000)
    assert result.held_until == later(14000 + 7200)
    assert result.max_until == later(14000 + 7200)


def test_a_plain_extension_of_a_long_hold_says_to_re_time_it(event, seat_ids):
    token = shop_hold(event, seat_ids[:1], 60).token
    before = everything()
    with pytest.raises(ExtendLimit) as caught:
        tokens.extend(token, later(60))
    assert "expires_in_minutes" in caught.value.message
    assert everything() == before


def test_a_browser_hold_handed_to_a_shop_can_be_re_timed(event, seat_ids):
    """The shop acts on the browser's very hold: same holder, same token."""
    services.hold_seats(
        event_id=event.id, holder="h_browser", seat_ids=seat_ids[:1], now=later(0)
    )
    token = Hold.objects.get(holder="h_browser").token
    result = retime(token, 30, at=100)
    assert result.held_until == later(1900)
    assert Seat.objects.get(pk=seat_ids[0]).holder == "h_browser"


@pytest.mark.parametrize("minutes", [0, -5, 121, True, 1.0])
def test_re_timing_with_a_bad_length_changes_nothing(event, seat_ids, minutes):
    token = shop_hold(event, seat_ids[:1], 10).token
    before = everything()
    with pytest.raises(BadRequest):
        retime(token, minutes, at=60)
    with pytest.raises(BadRequest):
        services.extend_hold(
            event_id=event.id,
            holder="a_shop",
            now=later(60),
            hold_token=token,
            expires_in_minutes=minutes,
        )
    assert everything() == before


def test_a_bad_length_is_refused_whatever_the_token():
    # Checked before the token is looked up: no database read decides it.
    with pytest.raises(BadRequest):
        retime("no-such-token", 0, at=0)


def test_re_timing_an_unknown_or_ended_token_changes_nothing(event, seat_ids):
    token = shop_hold(event, seat_ids[:1], 10).token
    before = everything()
    with pytest.raises(HoldNotFound):
        retime("no-such-token", 5, at=60)
    with pytest.raises(HoldNotFound):
        retime(token, 5, at=601)  # ran out at 600
    assert everything() == before


def test_a_re_timed_hold_runs_out_at_its_new_time(event, seat_ids):
    token = shop_hold(event, seat_ids[:1], 10).token
    retime(token, 2, at=60)
    assert services.release_expired(now=later(179)) == []
    [expired] = services.release_expired(now=later(181))
    assert expired.seat_id == seat_ids[0]
    assert Seat.objects.get(pk=seat_ids[0]).hold_id is None
