"""The waiting room (seats.waiting): fair order, admission at the rate, lapses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError

from seats import services
from seats.errors import BadRequest, NotAdmitted
from seats.waiting import admission
from seats.waiting import services as waiting
from seats.waiting.models import EARLY_RANKS, Place, WaitingRoom
from tests.conftest import later

pytestmark = pytest.mark.django_db

OPENS = later(100)


def room_for(event, **settings) -> WaitingRoom:
    defaults = {"enabled": True, "opens_at": OPENS, "rate_per_minute": 120}
    return waiting.configure(event_id=event.id, **(defaults | settings))


def admitted_holders(room) -> list[str]:
    return list(
        Place.objects.filter(room=room, state="admitted")
        .order_by("admitted_at", "rank")
        .values_list("holder", flat=True)
    )


def tick_every_second(start, seconds: int) -> None:
    for s in range(seconds + 1):
        waiting.admit_due(now=start + timedelta(seconds=s))


def test_early_arrivals_are_shuffled_and_later_ones_queue_in_order(event):
    room = room_for(event, rate_per_minute=6000, max_admitted=10_000)
    early = [f"h{i:02d}" for i in range(40)]
    for i, holder in enumerate(early):
        waiting.join(event_id=event.id, holder=holder, now=later(i))
    late = ["late1", "late2", "late3"]
    for i, holder in enumerate(late):
        waiting.join(event_id=event.id, holder=holder, now=OPENS + timedelta(seconds=i))
    ranks = dict(Place.objects.filter(room=room).values_list("holder", "rank"))
    assert all(ranks[h] < EARLY_RANKS for h in early)
    assert ranks["late1"] < ranks["late2"] < ranks["late3"]
    assert min(ranks[h] for h in late) > max(ranks[h] for h in early)

    tick_every_second(OPENS, 3)
    order = admitted_holders(room)
    assert order[-3:] == late  # everyone early first, then in order of arrival
    assert set(order[:40]) == set(early)
    assert order[:40] != early  # shuffled (40! orders: never the arrival order)


def test_one_place_per_session_across_tabs_and_reloads(event):
    room_for(event)
    first = waiting.join(event_id=event.id, holder="h1", now=later(0))
    again = waiting.join(event_id=event.id, holder="h1", now=later(50))
    assert (again.id, again.rank) == (first.id, first.rank)
    assert Place.objects.count() == 1


def test_admission_follows_the_rate_and_the_cap(event):
    room = room_for(event, rate_per_minute=120, max_admitted=1000)
    for i in range(300):
        waiting.join(event_id=event.id, holder=f"h{i}", now=later(0))
    tick_every_second(OPENS, 30)
    # One at the opening itself, then 2 a second for 30 s.
    assert len(admitted_holders(room)) == 61
    # Ticking twice at the same moment admits nobody twice.
    waiting.admit_due(now=OPENS + timedelta(seconds=30))
    assert len(admitted_holders(room)) == 61

    waiting.configure(event_id=event.id, max_admitted=70)
    tick_every_second(OPENS + timedelta(seconds=31), 30)
    assert len(admitted_holders(room)) == 70  # the cap


def test_the_first_in_line_is_admitted_at_the_opening_itself(event):
    room = room_for(event, rate_per_minute=6)  # one every 10 s
    for i in range(5):
        waiting.join(event_id=event.id, holder=f"h{i}", now=later(0))
    assert waiting.next_opening(later(0)) == OPENS
    waiting.admit_due(now=OPENS - timedelta(milliseconds=1))
    assert admitted_holders(room) == []
    waiting.admit_due(now=OPENS)
    first = Place.objects.filter(room=room).order_by("rank").first()
    assert admitted_holders(room) == [first.holder]
    assert waiting.next_opening(OPENS) is None
    # Then the rate: the next one 10 s later, not at once.
    tick_every_second(OPENS + timedelta(seconds=1), 8)
    assert len(admitted_holders(room)) == 1
    tick_every_second(OPENS + timedelta(seconds=10), 0)
    assert len(admitted_holders(room)) == 2

    # A later opening (staff moved it) starts afresh, with no credit kept.
    reopens = OPENS + timedelta(minutes=5)
    waiting.configure(event_id=event.id, opens_at=reopens)
    assert waiting.next_opening(OPENS + timedelta(seconds=11)) == reopens
    waiting.admit_due(now=reopens)
    assert len(admitted_holders(room)) == 3


def test_a_paused_room_admits_nobody_and_saves_up_nothing(event):
    room = room_for(event, rate_per_minute=60)
    for i in range(20):
        waiting.join(event_id=event.id, holder=f"h{i}", now=later(0))
    waiting.configure(event_id=event.id, paused=True)
    tick_every_second(OPENS, 10)
    assert admitted_holders(room) == []
    waiting.configure(event_id=event.id, paused=False)
    tick_every_second(OPENS + timedelta(seconds=11), 3)
    assert len(admitted_holders(room)) == 4  # one a second again: no burst


def test_an_admission_lapses_after_the_window_unless_seats_are_held(event, seat_ids):
    room = room_for(event, rate_per_minute=60, shopping_seconds=10)
    for holder in ("h1", "h2"):
        waiting.join(event_id=event.id, holder=holder, now=later(0))
    tick_every_second(OPENS, 2)
    assert set(admitted_holders(room)) == {"h1", "h2"}
    first_admitted = Place.objects.get(holder="h1").admitted_at
    at = first_admitted + timedelta(seconds=5)
    waiting.require_admission(event_id=event.id, holder="h1", now=at)
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=seat_ids[:1], now=at)
    after = Place.objects.get(holder="h2").expires_at + timedelta(seconds=1)
    waiting.admit_due(now=after)
    states = dict(Place.objects.values_list("holder", "state"))
    assert states == {"h1": "admitted", "h2": "lapsed"}  # h1 holds a seat
    with pytest.raises(NotAdmitted):
        waiting.require_admission(event_id=event.id, holder="h2", now=after)
    waiting.require_admission(event_id=event.id, holder="h1", now=after)
    # A lapsed visitor joins again at the back.
    back = waiting.join(event_id=event.id, holder="h2", now=after)
    assert back.state == "waiting" and back.rank > EARLY_RANKS


def test_leaving_frees_the_place_and_the_rest_move_up(event):
    room = room_for(event)
    for i in range(3):
        waiting.join(
            event_id=event.id, holder=f"h{i}", now=OPENS + timedelta(seconds=i)
        )
    assert waiting.status(event_id=event.id, holder="h2").position == 3
    assert waiting.leave(event_id=event.id, holder="h0")
    status = waiting.status(event_id=event.id, holder="h2")
    assert (status.position, status.waiting) == (2, 2)
    assert waiting.status(event_id=event.id, holder="h0").state == "left"
    assert room.version < WaitingRoom.objects.get(pk=room.pk).version


def test_without_a_room_everybody_is_admitted_and_staff_always_are(event):
    waiting.require_admission(event_id=event.id, holder="anyone")
    room_for(event)
    with pytest.raises(NotAdmitted):
        waiting.require_admission(event_id=event.id, holder="anyone")
    waiting.require_admission(event_id=event.id, holder="anyone", staff=lambda: True)
    with pytest.raises(NotAdmitted):
        waiting.require_admission(event_id=event.id, holder="x", staff=lambda: False)


def test_the_staff_question_is_asked_only_of_visitors_not_admitted(event):
    room_for(event)
    asked = []

    def staff() -> bool:
        asked.append(True)
        return False

    waiting.join(event_id=event.id, holder="h1", now=later(0))
    waiting.admit_due(now=later(101))  # a second after the opening: h1 is let in
    waiting.require_admission(
        event_id=event.id, holder="h1", staff=staff, now=later(102)
    )
    assert asked == []
    with pytest.raises(NotAdmitted):
        waiting.require_admission(event_id=event.id, holder="h2", staff=staff)
    assert asked == [True]


def test_the_estimate_counts_from_the_opening_at_the_rate(event):
    room = room_for(event, rate_per_minute=2)
    assert waiting.estimated_wait(room, 1, later(40)) == 60  # opens in 60 s
    assert waiting.estimated_wait(room, 5, OPENS) == 120
    waiting.configure(event_id=event.id, paused=True)
    room.refresh_from_db()
    assert waiting.estimated_wait(room, 5, OPENS) is None


def test_someone_holding_seats_when_the_room_opens_may_still_book(event, seat_ids):
    services.hold_seats(event_id=event.id, holder="early", seat_ids=seat_ids[:1])
    room_for(event)
    waiting.require_admission(event_id=event.id, holder="early")
    with pytest.raises(NotAdmitted):
        waiting.require_admission(event_id=event.id, holder="someone else")


def test_leaving_and_joining_again_before_the_opening_keeps_the_first_draw(event):
    room_for(event)
    first = waiting.join(event_id=event.id, holder="h1", now=later(0))
    waiting.leave(event_id=event.id, holder="h1")
    again = waiting.join(event_id=event.id, holder="h1", now=later(1))
    assert (again.id, again.rank, again.state) == (first.id, first.rank, "waiting")


def test_an_admission_past_its_window_reads_as_lapsed_before_the_admitter_runs(event):
    room = room_for(event, rate_per_minute=60, shopping_seconds=10)
    waiting.join(event_id=event.id, holder="h1", now=later(0))
    tick_every_second(OPENS, 1)
    place = Place.objects.get(holder="h1")
    assert place.state == "admitted"
    after = place.expires_at + timedelta(seconds=1)
    status = waiting.status(event_id=event.id, holder="h1", now=after)
    assert (status.state, status.admitted_until) == ("lapsed", None)
    # Joining again takes a new place at the back (the opening is past).
    again = waiting.join(event_id=event.id, holder="h1", now=after)
    assert again.state == "waiting" and again.rank > EARLY_RANKS
    assert Place.objects.filter(room=room).count() == 1


@pytest.mark.parametrize(
    "opens_at",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14))),
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2100, 1, 1, tzinfo=UTC),
    ],
)
def test_an_opening_outside_the_century_is_refused_and_nothing_changes(event, opens_at):
    room = room_for(event)
    with pytest.raises(BadRequest, match="between the years 2000 and 2099"):
        waiting.configure(event_id=event.id, opens_at=opens_at, enabled=False)
    room.refresh_from_db()
    assert (room.opens_at, room.enabled) == (OPENS, True)
    # The admin's form checks the model field the same way.
    room.opens_at = opens_at
    with pytest.raises(ValidationError, match="opens_at"):
        room.full_clean()


def test_one_room_failing_does_not_stop_the_others(
    event, make_event, monkeypatch, caplog
):
    broken = room_for(event)
    other_event = make_event(name="Other Night")
    healthy = room_for(other_event)
    waiting.join(event_id=event.id, holder="a", now=later(0))
    waiting.join(event_id=other_event.id, holder="b", now=later(0))
    real_tick = admission._tick

    def tick(room, now):
        if room.pk == broken.pk:
            raise OverflowError("date value out of range")  # a bad stored row
        return real_tick(room, now)

    monkeypatch.setattr(admission, "_tick", tick)
    changed = waiting.admit_due(now=OPENS)

    assert changed == [other_event.id]
    assert admitted_holders(healthy) == ["b"]
    assert admitted_holders(broken) == []
    assert f"waiting room {broken.pk}: this tick failed" in caplog.text


def test_the_places_of_many_pages_read_at_once_match_each_ones_status(
    event, django_assert_num_queries
):
    """What the waiting pages of a process get after a move, for the pages
    that left the line: the same as each one's own status, in one query."""
    room = room_for(event, rate_per_minute=120, shopping_seconds=60)
    holders = [f"h{i}" for i in range(6)]
    for holder in holders:  # at the opening: ranks in order of arrival
        waiting.join(event_id=event.id, holder=holder, now=OPENS)
    tick_every_second(OPENS, 1)  # one at the opening, two a second later
    waiting.leave(event_id=event.id, holder=holders[-1])
    at = OPENS + timedelta(seconds=1)
    room.refresh_from_db()
    ranks = waiting.waiting_ranks(room.id)
    everyone = [*holders, "never-joined"]
    with django_assert_num_queries(1):
        read = waiting.statuses_in_line(room, everyone, ranks, at)
    for holder in everyone:
        assert read[holder] == waiting.status(event_id=event.id, holder=holder, now=at)
    assert [read[h].state for h in everyone] == [
        *["admitted"] * 3,
        *["waiting"] * 2,
        "left",
        "none",
    ]
    # The waiting ones by their place in `ranks`, as status() counts it.
    assert [read[h].position for h in holders[3:5]] == [1, 2]
