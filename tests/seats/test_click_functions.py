"""PostgreSQL's click functions (migration 0020: seats_click_hold and
seats_click_free, through services.one_call.hold_click and free_click): a
plain click, or its refusal for a taken seat, is one round trip, read
included; whatever needs judging in Python goes the long way, which still
judges it. The state machine holds every path to one model; these pin
which way a click goes and that the answers match the long way's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seats import services
from seats.errors import (
    CompanionSeat,
    NotAdmitted,
    NotHolder,
    SeatsUnavailable,
    UnknownSeat,
)
from seats.models import Seat
from seats.services import one_call
from seats.waiting import services as waiting
from tests.conftest import later
from tests.seats.test_services import everything

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def sent_by(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries]


def hold(event, holder, seat_ids, at=0.0, **extra):
    return services.hold_seats(
        event_id=event.id, holder=holder, seat_ids=seat_ids, now=later(at), **extra
    )


def test_a_plain_hold_and_release_are_one_statement_each(
    event, seat_ids, announcements
):
    sent = sent_by(lambda: hold(event, "alice", seat_ids[:2]))
    assert len(sent) == 1 and sent[0].startswith("SELECT * FROM seats_click_hold(")
    sent = sent_by(
        lambda: services.release_seats(
            event_id=event.id, holder="alice", seat_ids=seat_ids[:2], now=later(1)
        )
    )
    assert len(sent) == 1 and sent[0].startswith("SELECT * FROM seats_click_free(")
    labels = dict(Seat.objects.filter(event=event).values_list("id", "label"))
    # The broadcast names the seats with their labels, as the long way does.
    assert [(c.reason, [(s.id, s.label) for s in c.seats]) for c in announcements] == [
        ("held", [(sid, labels[sid]) for sid in seat_ids[:2]]),
        ("released", [(sid, labels[sid]) for sid in seat_ids[:2]]),
    ]


def test_a_taken_seat_is_refused_in_one_statement_as_the_long_way_says(event, seat_ids):
    hold(event, "bob", seat_ids[1:3])
    Seat.objects.filter(pk=seat_ids[3]).update(blocked=True)
    before = everything()
    refusals = []
    for wanted in (seat_ids[:2], seat_ids[:3], seat_ids[3:4]):
        with pytest.raises(SeatsUnavailable) as fast:
            hold(event, "alice", wanted, at=1)
        refusals.append(fast.value)
    assert everything() == before
    # The long way's read and refusal, for the same clicks.
    one_call._long_events[event.id] = float("inf")
    for wanted, refused in zip(
        (seat_ids[:2], seat_ids[:3], seat_ids[3:4]), refusals, strict=True
    ):
        with pytest.raises(SeatsUnavailable) as slow:
            hold(event, "alice", wanted, at=1)
        assert (refused.message, refused.seat_ids) == (
            slow.value.message,
            slow.value.seat_ids,
        )
    assert "were just taken" in refusals[1].message
    assert "is not on sale" in refusals[2].message
    assert everything() == before
    one_call._long_events.clear()
    sent = sent_by(
        lambda: pytest.raises(
            SeatsUnavailable, hold, event, "alice", seat_ids[1:2], at=1
        )
    )
    assert len(sent) == 1


def test_a_room_that_is_on_sends_every_click_the_long_way_and_admission_holds(
    event, seat_ids
):
    waiting.configure(event_id=event.id, enabled=True, opens_at=later(-60))

    def refuse(room_on):
        if room_on:
            raise NotAdmitted()

    before = everything()
    with pytest.raises(NotAdmitted):
        hold(event, "alice", seat_ids[:1], admission=refuse)
    assert everything() == before
    # The event is remembered: its next click reads once, as before 0020.
    sent = sent_by(
        lambda: pytest.raises(
            NotAdmitted, hold, event, "alice", seat_ids[:1], admission=refuse
        )
    )
    assert not any("seats_click_hold" in sql for sql in sent)
    # Turned off: once the memory ends, clicks are one statement again.
    waiting.configure(event_id=event.id, enabled=False)
    one_call._long_events[event.id] = 0.0
    sent = sent_by(lambda: hold(event, "alice", seat_ids[:1], admission=refuse))
    assert len(sent) == 1


def test_companion_seats_and_unknown_seats_go_the_long_way(event, seat_ids):
    Seat.objects.filter(pk=seat_ids[0]).update(wheelchair=True)
    Seat.objects.filter(pk=seat_ids[1]).update(companion_of=seat_ids[0])
    before = everything()
    with pytest.raises(CompanionSeat):
        hold(event, "alice", seat_ids[1:2])
    with pytest.raises(UnknownSeat):
        hold(event, "alice", [seat_ids[2], 10**12])
    assert everything() == before
    # Taken together, the long way allows them; released apart, it refuses.
    hold(event, "alice", seat_ids[:2])
    held = everything()
    with pytest.raises(CompanionSeat):
        services.release_seats(
            event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(1)
        )
    assert everything() == held
    # These clicks are judged one by one: the event is not skipped.
    assert event.id not in one_call._long_events


def test_seats_of_someone_else_are_not_freed(event, seat_ids):
    hold(event, "bob", seat_ids[:1])
    before = everything()
    with pytest.raises(NotHolder):
        services.release_seats(
            event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(1)
        )
    assert everything() == before
