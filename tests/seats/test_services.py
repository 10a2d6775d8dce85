"""seats.services: holds, releases, extensions, bookings, as users see them."""

from __future__ import annotations

import re

import pytest

from seats import selectors, services
from seats.errors import (
    BadRequest,
    ExtendLimit,
    HoldExpired,
    NotHolder,
    RequestError,
    SeatsUnavailable,
    TooManySeats,
    UnknownSeat,
)
from seats.models import Activity, Booking, Event, Hold, Seat
from seats.services import one_call, releases
from seats.timefmt import iso
from tests.conftest import later, snapshot_at

pytestmark = pytest.mark.django_db


# Helpers: the calls read like the protocol, times are seconds after T0.


def hold(event, holder, ids, at=0):
    return services.hold_seats(
        event_id=event.id, holder=holder, seat_ids=ids, now=later(at)
    )


def release(event, holder, ids, at=0):
    return services.release_seats(
        event_id=event.id, holder=holder, seat_ids=ids, now=later(at)
    )


def extend(event, holder, at=0):
    return services.extend_hold(
        event_id=event.id, holder=holder, now=later(at)
    ).held_until


def book(event, holder, ids, at=0):
    return services.book_seats(
        event_id=event.id, holder=holder, seat_ids=ids, now=later(at)
    )


def seen(event, seat_id, at) -> tuple[str, str | None, str | None]:
    """(status, holder, held_until) of the seat as the seat map reads it at `at`."""
    seat_map = selectors.seat_map(event_id=event.id, viewer=None, now=later(at))
    seat = next(s for s in seat_map.seats if s.id == seat_id)
    return seat.status.value, seat.holder, iso(seat.held_until)


def own_hold(event, holder, at) -> dict | None:
    return snapshot_at(event.id, holder, later(at))["hold"]


def version(event) -> int:
    return Event.objects.get(pk=event.id).version


def everything() -> tuple:
    """All mutable state, to show that a rejected request changed nothing."""
    return (
        list(
            Seat.objects.order_by("pk").values_list(
                "id", "hold_id", "holder", "held_until", "booking_id"
            )
        ),
        list(Hold.objects.order_by("pk").values_list("id", "holder", "expires_at")),
        list(Booking.objects.order_by("pk").values_list("id", "holder")),
        list(Activity.objects.order_by("pk").values_list("id", flat=True)),
        list(Event.objects.order_by("pk").values_list("id", "version")),
    )


def log(seat_id) -> list[tuple[str, str]]:
    """The seat's activity rows, oldest first, as (kind, holder)."""
    return list(
        Activity.objects.filter(seat_id=seat_id)
        .order_by("id")
        .values_list("kind", "holder")
    )


# hold


def test_hold_replies_with_the_seats_and_the_hold_expiry(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b = seat_ids[:2]
    with django_capture_on_commit_callbacks(execute=True):
        result = hold(event, "alice", [b, a], at=10)

    assert result.seat_ids == [a, b]
    assert result.held_until == later(310)
    for seat_id in (a, b):
        assert seen(event, seat_id, at=11) == ("held", "alice", iso(later(310)))
    assert own_hold(event, "alice", at=11) == {
        "held_until": iso(later(310)),
        "max_until": iso(later(910)),
        "seat_ids": [a, b],
    }
    assert own_hold(event, "bob", at=11) is None
    assert [(c.reason, c.holders, c.version) for c in announcements] == [
        ("held", ("alice",), 1)
    ]
    assert [
        (s.id, s.status, s.holder, s.held_until) for s in announcements[0].seats
    ] == [
        (a, "held", "alice", later(310)),
        (b, "held", "alice", later(310)),
    ]


def test_holding_seats_already_mine_is_not_an_error(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b = seat_ids[:2]
    hold(event, "alice", [a, b], at=0)
    before = everything()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = hold(event, "alice", [a, b], at=60)

    assert result.seat_ids == [a, b]
    assert result.held_until == later(300)  # the same hold, not a new one
    assert everything() == before
    assert callbacks == []
    assert announcements == []


def test_hold_is_all_or_nothing(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b, c = seat_ids[:3]
    hold(event, "bob", [b], at=0)
    before = everything()

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(SeatsUnavailable) as caught:
            hold(event, "alice", [a, b, c], at=10)

    assert caught.value.code == "seats_unavailable"
    assert caught.value.seat_ids == [b]
    assert "A2" in caught.value.message
    assert everything() == before
    assert seen(event, a, at=11) == ("available", None, None)
    assert seen(event, c, at=11) == ("available", None, None)
    assert seen(event, b, at=11) == ("held", "bob", iso(later(300)))
    assert own_hold(event, "alice", at=11) is None
    assert not Hold.objects.filter(holder="alice").exists()
    assert announcements == []


def test_conflict_lists_exactly_the_seats_that_were_not_available(event, seat_ids):
    a, b, c, d, e = seat_ids[:5]
    hold(event, "bob", [b], at=0)
    hold(event, "carol", [d], at=0)
    book(event, "carol", [d], at=1)
    hold(event, "alice", [e], at=2)  # alice's own seat is no conflict

    with pytest.raises(SeatsUnavailable) as caught:
        hold(event, "alice", [a, b, c, d, e], at=10)

    assert caught.value.seat_ids == [b, d]
    assert seen(event, a, at=11) == ("available", None, None)
    assert seen(event, c, at=11) == ("available", None, None)


def test_booked_seats_conflict_even_for_the_buyer(event, seat_ids):
    a = seat_ids[0]
    hold(event, "bob", [a], at=0)
    book(event, "bob", [a], at=10)

    for holder in ("alice", "bob"):
        with pytest.raises(SeatsUnavailable) as caught:
            hold(event, holder, [a], at=20)
        assert caught.value.seat_ids == [a]
    assert seen(event, a, at=21) == ("booked", None, None)


def test_unknown_and_foreign_seat_ids_are_unknown_seats(
    event, seat_ids, other_seat_ids, announcements, django_capture_on_commit_callbacks
):
    missing = max(seat_ids + other_seat_ids) + 1000
    foreign = other_seat_ids[0]
    before = everything()

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(UnknownSeat) as caught:
            hold(event, "alice", [seat_ids[0], foreign, missing], at=0)

    assert caught.value.code == "unknown_seat"
    assert caught.value.seat_ids == sorted([foreign, missing])
    assert everything() == before
    assert announcements == []


def test_an_empty_request_is_a_bad_request(event):
    before = everything()
    with pytest.raises(BadRequest) as caught:
        hold(event, "alice", [], at=0)
    assert caught.value.code == "bad_request"
    assert everything() == before


def test_the_limit_per_holder_counts_seats_already_held(
    event, seat_ids, hold_settings, announcements, django_capture_on_commit_callbacks
):
    hold_settings.SEAT_MAX_PER_HOLDER = 3
    a, b, c, d = seat_ids[:4]
    hold(event, "alice", [a, b], at=0)
    before = everything()

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(TooManySeats) as caught:
            hold(event, "alice", [c, d], at=10)

    assert caught.value.code == "too_many_seats"
    assert caught.value.seat_ids == [c, d]
    assert "3" in caught.value.message
    assert everything() == before
    assert announcements == []
    # Asking again for a seat already held does not count it twice.
    assert hold(event, "alice", [b, c], at=20).seat_ids == [b, c]
    # The limit is per holder: bob is not affected by alice's seats.
    assert hold(event, "bob", [d], at=20).seat_ids == [d]


def test_seats_of_an_expired_hold_do_not_count_towards_the_limit(
    event, seat_ids, hold_settings
):
    hold_settings.SEAT_MAX_PER_HOLDER = 3
    hold(event, "alice", seat_ids[:3], at=0)

    result = hold(event, "alice", seat_ids[3:6], at=300)

    assert result.seat_ids == seat_ids[3:6]
    assert own_hold(event, "alice", at=301)["seat_ids"] == seat_ids[3:6]


def test_new_seats_join_the_running_hold_and_keep_its_expiry(event, seat_ids):
    a, b = seat_ids[:2]
    first = hold(event, "alice", [a], at=0)

    second = hold(event, "alice", [b], at=100)

    assert second.seat_ids == [b]
    assert second.held_until == first.held_until == later(300)
    assert Hold.objects.filter(holder="alice").count() == 1
    assert {s.hold_id for s in Seat.objects.filter(pk__in=[a, b])} == {
        Hold.objects.get(holder="alice").pk
    }
    assert seen(event, b, at=101) == ("held", "alice", iso(later(300)))
    assert own_hold(event, "alice", at=101)["seat_ids"] == [a, b]


# Lazy expiry: a hold past its time is free before any sweep.


@pytest.mark.parametrize("at", [300, 301])
def test_a_lapsed_hold_is_free_before_the_sweeper_runs(
    event, seat_ids, at, announcements, django_capture_on_commit_callbacks
):
    a = seat_ids[0]
    hold(event, "alice", [a], at=0)

    assert seen(event, a, at=at) == ("available", None, None)
    assert own_hold(event, "alice", at=at) is None

    with django_capture_on_commit_callbacks(execute=True):
        result = hold(event, "bob", [a], at=at)

    assert result.held_until == later(at + 300)
    assert seen(event, a, at=at) == ("held", "bob", iso(later(at + 300)))
    assert log(a) == [("held", "alice"), ("expired", "alice"), ("held", "bob")]
    expired, held = Activity.objects.filter(seat_id=a).order_by("id")[1:]
    # The feed tells what the table records: alice's hold expired, then bob
    # held the seat, as two changes with consecutive versions.
    assert expired.version + 1 == held.version == version(event)
    assert [(c.reason, c.holders, c.version) for c in announcements] == [
        ("expired", ("alice",), expired.version),
        ("held", ("bob",), held.version),
    ]
    assert [s.status for s in announcements[0].seats] == ["available"]
    with pytest.raises(NotHolder) as caught:
        book(event, "alice", [a], at=at)
    assert caught.value.seat_ids == [a]


def test_a_lapsed_hold_cannot_be_booked(event, seat_ids):
    a = seat_ids[0]
    hold(event, "alice", [a], at=0)

    with pytest.raises(HoldExpired) as caught:
        book(event, "alice", [a], at=301)

    assert caught.value.code == "hold_expired"
    assert caught.value.seat_ids == [a]


# release


def test_release_frees_the_seats(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b = seat_ids[:2]
    hold(event, "alice", [a, b], at=0)

    with django_capture_on_commit_callbacks(execute=True):
        released = release(event, "alice", [a], at=10)

    assert released == [a]
    assert seen(event, a, at=11) == ("available", None, None)
    assert Seat.objects.filter(pk=a, hold=None, holder="", held_until=None).exists()
    assert seen(event, b, at=11) == ("held", "alice", iso(later(300)))
    assert own_hold(event, "alice", at=11)["seat_ids"] == [b]
    assert log(a) == [("held", "alice"), ("released", "alice")]
    assert [(c.reason, c.holders) for c in announcements] == [("released", ("alice",))]
    assert [(s.id, s.status, s.holder) for s in announcements[0].seats] == [
        (a, "available", None)
    ]


def test_releasing_someone_elses_seats_is_refused(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b, c = seat_ids[:3]
    hold(event, "alice", [a], at=0)
    hold(event, "bob", [b], at=0)
    before = everything()

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(NotHolder) as caught:
            release(event, "alice", [a, b, c], at=10)

    assert caught.value.code == "not_holder"
    assert caught.value.seat_ids == [b, c]
    assert everything() == before
    assert announcements == []


def test_releasing_the_last_seat_deletes_the_hold(event, seat_ids):
    a, b = seat_ids[:2]
    hold(event, "alice", [a, b], at=0)

    release(event, "alice", [a, b], at=10)

    assert not Hold.objects.filter(holder="alice").exists()
    assert own_hold(event, "alice", at=11) is None


def test_releasing_a_lapsed_hold_is_hold_expired(event, seat_ids):
    a = seat_ids[0]
    hold(event, "alice", [a], at=0)
    before = everything()

    with pytest.raises(HoldExpired):
        release(event, "alice", [a], at=300)

    assert everything() == before


def test_release_all_frees_only_the_holders_seats(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b, c = seat_ids[:3]
    hold(event, "alice", [a, b], at=0)
    hold(event, "bob", [c], at=0)

    with django_capture_on_commit_callbacks(execute=True):
        released = services.release_all(
            event_id=event.id, holder="alice", now=later(10)
        )
        again = services.release_all(event_id=event.id, holder="alice", now=later(10))

    assert released == [a, b]
    assert again == []
    assert [c.reason for c in announcements] == ["released"]
    assert seen(event, c, at=11) == ("held", "bob", iso(later(300)))
    assert not Hold.objects.filter(holder="alice").exists()


@pytest.mark.parametrize("meanwhile", ["booked", "lapsed"])
def test_release_all_gives_up_quietly_when_the_hold_changed_after_its_read(
    event,
    seat_ids,
    monkeypatch,
    announcements,
    django_capture_on_commit_callbacks,
    meanwhile,
):
    """Between release_all's read and its lock the hold changed: nothing more
    to do, whatever is left expires on its own."""
    a, b = seat_ids[:2]
    hold(event, "alice", [a, b], at=0)
    # The locked part of every release (release_all skips the seat rules).
    release_under_lock = releases._release
    seen_then = {}

    def change_first(**kwargs):
        if meanwhile == "booked":
            book(event, "alice", [a], at=10)  # then NotHolder for a
        else:
            # The hold's time runs out (moved here to `now`): HoldExpired.
            Seat.objects.filter(pk__in=[a, b]).update(held_until=later(10))
        seen_then["state"] = everything()
        return release_under_lock(**kwargs)

    monkeypatch.setattr(releases, "_release", change_first)
    # The long way's locked part (on PostgreSQL the one call would come first:
    # tests/seats/test_one_call.py covers a change before it).
    monkeypatch.setattr(one_call, "available", lambda: False)
    with django_capture_on_commit_callbacks(execute=True):
        released = services.release_all(
            event_id=event.id, holder="alice", now=later(10)
        )

    assert released == []
    assert everything() == seen_then["state"]
    expected = ["booked"] if meanwhile == "booked" else []
    assert [c.reason for c in announcements] == expected


# extend


def test_extend_moves_the_expiry_to_now_plus_the_hold_time(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b = seat_ids[:2]
    hold(event, "alice", [a, b], at=0)

    with django_capture_on_commit_callbacks(execute=True):
        until = extend(event, "alice", at=100)

    assert until == later(400)
    assert seen(event, a, at=350) == ("held", "alice", iso(later(400)))
    assert own_hold(event, "alice", at=350) == {
        "held_until": iso(later(400)),
        "max_until": iso(later(900)),
        "seat_ids": [a, b],
    }
    assert log(a) == [("held", "alice"), ("extended", "alice")]
    assert [(c.reason, c.holders) for c in announcements] == [("extended", ("alice",))]
    assert [(s.id, s.held_until) for s in announcements[0].seats] == [
        (a, later(400)),
        (b, later(400)),
    ]
    # The extension is real: booking after the first expiry still works.
    assert book(event, "alice", [a, b], at=350).seat_ids == [a, b]


def test_extend_is_capped_at_the_maximum_hold_length(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a = seat_ids[0]
    hold(event, "alice", [a], at=0)
    assert extend(event, "alice", at=250) == later(550)
    assert extend(event, "alice", at=500) == later(800)
    assert extend(event, "alice", at=700) == later(900)  # not 1000
    before = everything()

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ExtendLimit) as caught:
            extend(event, "alice", at=800)

    assert caught.value.code == "extend_limit"
    assert everything() == before
    assert announcements == []
    assert seen(event, a, at=899) == ("held", "alice", iso(later(900)))
    assert seen(event, a, at=900) == ("available", None, None)


def test_extend_with_nothing_held_is_not_holder(event, seat_ids):
    hold(event, "bob", seat_ids[:1], at=0)
    before = everything()

    with pytest.raises(NotHolder) as caught:
        extend(event, "alice", at=10)

    assert caught.value.code == "not_holder"
    assert everything() == before


@pytest.mark.parametrize("at", [300, 400])
def test_extending_a_lapsed_hold_is_hold_expired(event, seat_ids, at):
    hold(event, "alice", seat_ids[:1], at=0)
    before = everything()

    with pytest.raises(HoldExpired) as caught:
        extend(event, "alice", at=at)

    assert caught.value.code == "hold_expired"
    assert everything() == before


# book


def test_book_turns_the_hold_into_a_booking(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b, c = seat_ids[:3]
    hold(event, "alice", [a, b, c], at=0)

    with django_capture_on_commit_callbacks(execute=True):
        result = book(event, "alice", [b, a], at=10)

    assert re.fullmatch(r"BK-[2-9A-HJKMNP-Z]{8}", result.reference)
    assert result.seat_ids == [a, b]
    booking = Booking.objects.get(reference=result.reference)
    assert booking.holder == "alice"
    assert sorted(booking.seats.values_list("id", flat=True)) == [a, b]
    for seat_id in (a, b):
        assert seen(event, seat_id, at=11) == ("booked", None, None)
        assert log(seat_id) == [("held", "alice"), ("booked", "alice")]
    # The seat not booked stays in the same hold.
    assert own_hold(event, "alice", at=11)["seat_ids"] == [c]
    assert [(c.reason, c.holders) for c in announcements] == [("booked", ("alice",))]
    assert [(s.id, s.status) for s in announcements[0].seats] == [
        (a, "booked"),
        (b, "booked"),
    ]


def test_booking_everything_held_deletes_the_hold(event, seat_ids):
    hold(event, "alice", seat_ids[:2], at=0)
    book(event, "alice", seat_ids[:2], at=10)
    assert not Hold.objects.filter(holder="alice").exists()
    assert own_hold(event, "alice", at=11) is None


def test_booking_someone_elses_seats_is_refused(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b = seat_ids[:2]
    hold(event, "alice", [a], at=0)
    hold(event, "bob", [b], at=0)
    before = everything()

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(NotHolder) as caught:
            book(event, "alice", [a, b], at=10)

    assert caught.value.seat_ids == [b]
    assert everything() == before
    assert announcements == []


@pytest.mark.parametrize("at", [300, 300.001, 1000])
def test_booking_at_or_after_the_expiry_is_hold_expired(
    event, seat_ids, at, announcements, django_capture_on_commit_callbacks
):
    """Even though the sweeper has not run: time decides."""
    a, b = seat_ids[:2]
    hold(event, "alice", [a, b], at=0)
    before = everything()

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(HoldExpired) as caught:
            book(event, "alice", [a, b], at=at)

    assert caught.value.seat_ids == [a, b]
    assert everything() == before
    assert announcements == []


def test_booking_just_before_the_expiry_succeeds(event, seat_ids):
    hold(event, "alice", seat_ids[:1], at=0)
    assert book(event, "alice", seat_ids[:1], at=299.999).seat_ids == seat_ids[:1]


def test_a_booked_seat_cannot_be_booked_again(event, seat_ids):
    a = seat_ids[0]
    hold(event, "alice", [a], at=0)
    book(event, "alice", [a], at=10)

    with pytest.raises(NotHolder):
        book(event, "alice", [a], at=20)
    assert Booking.objects.count() == 1


# Versions and the activity log


def test_each_announced_change_bumps_the_version_by_exactly_one(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b, c = seat_ids[:3]
    steps = [
        lambda: hold(event, "alice", [a, b], at=0),
        lambda: hold(event, "bob", [c], at=0),
        lambda: extend(event, "alice", at=100),
        lambda: release(event, "alice", [b], at=110),
        lambda: book(event, "alice", [a], at=120),
        lambda: services.release_expired(now=later(300)),  # bob's seat
        lambda: hold(event, "carol", [b, c], at=310),
    ]
    for number, step in enumerate(steps, start=1):
        with django_capture_on_commit_callbacks(execute=True):
            step()
        assert version(event) == number
        assert announcements[-1].version == number

    assert [c.reason for c in announcements] == [
        "held",
        "held",
        "extended",
        "released",
        "booked",
        "expired",
        "held",
    ]
    assert [c.version for c in announcements] == list(range(1, len(steps) + 1))
    assert all(c.event_id == event.id for c in announcements)


def test_changes_to_one_event_leave_the_other_events_version_alone(
    event, seat_ids, other_event, other_seat_ids
):
    hold(event, "alice", seat_ids[:1], at=0)
    hold(other_event, "alice", other_seat_ids[:1], at=0)
    hold(other_event, "bob", other_seat_ids[1:2], at=0)
    assert (version(event), version(other_event)) == (1, 2)


@pytest.mark.parametrize(
    "attempt, error",
    [
        (lambda e, ids: hold(e, "bob", ids[:1], at=10), SeatsUnavailable),
        (lambda e, ids: hold(e, "alice", [ids[0], 10**9], at=10), UnknownSeat),
        (lambda e, ids: hold(e, "alice", [], at=10), BadRequest),
        (lambda e, ids: hold(e, "alice", ids[2:4], at=10), TooManySeats),
        (lambda e, ids: release(e, "bob", ids[:1], at=10), NotHolder),
        (lambda e, ids: release(e, "alice", ids[:1], at=300), HoldExpired),
        (lambda e, ids: extend(e, "bob", at=10), NotHolder),
        (lambda e, ids: extend(e, "alice", at=300), HoldExpired),
        (lambda e, ids: book(e, "bob", ids[:1], at=10), NotHolder),
        (lambda e, ids: book(e, "alice", ids[:2], at=300), HoldExpired),
        (lambda e, ids: book(e, "alice", ids[1:3], at=10), NotHolder),
    ],
)
def test_rejected_requests_bump_nothing_and_announce_nothing(
    event,
    seat_ids,
    attempt,
    error,
    hold_settings,
    announcements,
    django_capture_on_commit_callbacks,
):
    hold_settings.SEAT_MAX_PER_HOLDER = 3
    hold(event, "alice", seat_ids[:2], at=0)
    before = everything()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(error) as caught:
            attempt(event, seat_ids)

    assert isinstance(caught.value, RequestError)
    assert caught.value.code == error.code
    assert everything() == before
    assert version(event) == 1
    assert callbacks == []
    assert announcements == []


def test_extend_limit_bumps_nothing(event, seat_ids, hold_settings):
    hold_settings.SEAT_HOLD_MAX_SECONDS = 300
    hold(event, "alice", seat_ids[:1], at=0)
    before = everything()

    with pytest.raises(ExtendLimit):
        extend(event, "alice", at=10)

    assert everything() == before


def test_activity_is_written_per_seat_with_kind_holder_and_version(event, seat_ids):
    a, b, c = seat_ids[:3]
    hold(event, "alice", [a, b], at=0)  # v1
    extend(event, "alice", at=50)  # v2
    release(event, "alice", [b], at=60)  # v3
    hold(event, "bob", [c], at=70)  # v4
    book(event, "alice", [a], at=80)  # v5
    services.release_expired(now=later(400))  # v6: bob's seat

    rows = list(
        Activity.objects.order_by("id").values_list(
            "seat_id", "kind", "holder", "version", "at"
        )
    )
    assert rows == [
        (a, "held", "alice", 1, later(0)),
        (b, "held", "alice", 1, later(0)),
        (a, "extended", "alice", 2, later(50)),
        (b, "extended", "alice", 2, later(50)),
        (b, "released", "alice", 3, later(60)),
        (c, "held", "bob", 4, later(70)),
        (a, "booked", "alice", 5, later(80)),
        (c, "expired", "bob", 6, later(400)),
    ]
    assert all(
        event_id == event.id
        for event_id in Activity.objects.values_list("event_id", flat=True)
    )


def test_a_renewed_hold_row_never_brings_its_lapsed_seats_back(event, seat_ids):
    """One hold row per holder: a lapsed, unswept seat stays free when the
    holder holds again and extends."""
    a, b = seat_ids[:2]
    hold(event, "alice", [a], at=0)
    hold(event, "alice", [b], at=400)  # the row starts afresh; `a` has lapsed
    assert Hold.objects.filter(event=event, holder="alice").count() == 1

    result = services.extend_hold(event_id=event.id, holder="alice", now=later(450))

    assert result.seat_ids == [b]
    assert result.held_until == later(750)
    assert seen(event, a, at=450) == ("available", None, None)
    assert seen(event, b, at=450) == ("held", "alice", iso(later(750)))
