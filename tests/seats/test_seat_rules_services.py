"""The seat rules in the services: single seats, companion seats, accessible picks.

The venues: rows A (premium) and B (standard), seats 1-5 each, with the
single-seat rule on unless a test says otherwise.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from plans.venues import create_venue
from seats import services
from seats.errors import CompanionSeat, NoAccessibleSeats, SingleSeatLeft
from seats.models import Event, Hold, Seat
from tests.conftest import later
from tests.realtime.conftest import event_client, serving_on_this_loop

pytestmark = pytest.mark.django_db


def by_label(event: Event) -> dict[str, int]:
    return dict(Seat.objects.filter(event=event).values_list("label", "id"))


def labels(ids: list[int]) -> list[str]:
    found = dict(Seat.objects.filter(id__in=ids).values_list("id", "label"))
    return [found[i] for i in ids]


def everything(event: Event) -> tuple:
    """What a request could change: the version, every seat's state, the holds."""
    return (
        Event.objects.get(pk=event.id).version,
        list(
            Seat.objects.filter(event=event)
            .order_by("pk")
            .values_list("id", "holder", "held_until", "hold_id", "booking_id")
        ),
        list(Hold.objects.order_by("pk").values_list("holder", "expires_at")),
    )


def hold(event: Event, holder: str, *names: str, at: float = 0):
    seats = by_label(event)
    return services.hold_seats(
        event_id=event.id,
        holder=holder,
        seat_ids=[seats[n] for n in names],
        now=later(at),
    )


def release(event: Event, holder: str, *names: str, at: float = 1):
    seats = by_label(event)
    return services.release_seats(
        event_id=event.id,
        holder=holder,
        seat_ids=[seats[n] for n in names],
        now=later(at),
    )


@pytest.fixture
def strict(make_event, hold_settings) -> Event:
    return make_event(avoid_single_seats=True)


@pytest.fixture
def relaxed(make_event, hold_settings) -> Event:
    return make_event(avoid_single_seats=False)


@pytest.fixture
def accessible(make_event, hold_settings) -> Event:
    """Wheelchair space A1 with companion A2; space B3 with companions B2, B4."""
    event = make_event(avoid_single_seats=True)
    seats = by_label(event)
    Seat.objects.filter(id__in=[seats["A1"], seats["B3"]]).update(wheelchair=True)
    Seat.objects.filter(id=seats["A2"]).update(companion_of=seats["A1"])
    Seat.objects.filter(id__in=[seats["B2"], seats["B4"]]).update(
        companion_of=seats["B3"]
    )
    return event


# No stranded single seats.


def test_a_hold_that_strands_a_seat_is_refused_and_changes_nothing(strict):
    hold(strict, "bob", "A1")
    before = everything(strict)
    with pytest.raises(SingleSeatLeft) as refused:
        hold(strict, "alice", "A3", at=1)
    assert refused.value.code == "single_seat_left"
    assert refused.value.seat_ids == [by_label(strict)["A2"]]
    assert refused.value.message == (
        "That would leave seat A2 on its own: take it too, or choose seats next "
        "to each other."
    )
    assert everything(strict) == before


def test_taking_the_seat_that_would_be_left_too_is_fine(strict):
    hold(strict, "bob", "A1")
    result = hold(strict, "alice", "A2", "A3", at=1)
    assert labels(result.seat_ids) == ["A2", "A3"]


def test_a_hold_stranding_two_seats_names_both(strict):
    hold(strict, "bob", "A1", "A5")
    with pytest.raises(SingleSeatLeft) as refused:
        hold(strict, "alice", "A3", at=1)
    assert sorted(labels(refused.value.seat_ids)) == ["A2", "A4"]
    assert "seats A2, A4 on their own" in refused.value.message


def test_a_seat_stranded_already_does_not_block_others(strict):
    # Bob strands A2 while the rule is off; then the event turns it on.
    Event.objects.filter(pk=strict.id).update(avoid_single_seats=False)
    hold(strict, "bob", "A1", "A3")
    Event.objects.filter(pk=strict.id).update(avoid_single_seats=True)
    result = hold(strict, "alice", "A4", "A5", at=1)
    assert labels(result.seat_ids) == ["A4", "A5"]


def test_a_lapsed_hold_counts_as_free(strict):
    hold(strict, "bob", "A1")
    # At 301 s bob's hold has run out, so A1 is free: nothing is stranded.
    result = hold(strict, "alice", "A3", at=301)
    assert labels(result.seat_ids) == ["A3"]


def test_a_release_that_strands_a_seat_is_refused_and_changes_nothing(strict):
    hold(strict, "alice", "A1", "A2", "A3")
    before = everything(strict)
    with pytest.raises(SingleSeatLeft) as refused:
        release(strict, "alice", "A2")
    assert refused.value.seat_ids == [by_label(strict)["A2"]]
    assert "keep it" in refused.value.message
    assert everything(strict) == before
    # Releasing it with a neighbour leaves two free seats together.
    assert labels(release(strict, "alice", "A2", "A3")) == ["A2", "A3"]


def test_leaving_releases_everything_whatever_it_leaves(strict):
    hold(strict, "alice", "A2")
    hold(strict, "bob", "A1", "A3")
    released = services.release_all(event_id=strict.id, holder="alice", now=later(2))
    assert labels(released) == ["A2"]
    assert not Seat.objects.filter(holder="alice").exists()


def test_with_the_rule_off_anything_goes(relaxed):
    hold(relaxed, "bob", "A1")
    assert labels(hold(relaxed, "alice", "A3", at=1).seat_ids) == ["A3"]
    hold(relaxed, "carol", "B1", "B2", "B3")
    assert labels(release(relaxed, "carol", "B2", at=2)) == ["B2"]


def test_best_available_never_strands_a_seat(strict):
    hold(strict, "bob", "A1", "A5")
    # Every pair in row A strands a seat: row B it is.
    result = services.hold_best(
        event_id=strict.id, holder="alice", count=2, now=later(1)
    )
    assert labels(result.seat_ids) == ["B2", "B3"]


def test_venues_keep_the_rule_by_default(make_event, hold_settings):
    assert make_event(avoid_single_seats=True).avoid_single_seats
    assert not make_event(avoid_single_seats=False).avoid_single_seats
    assert create_venue(
        name="Default Night", rows=1, seats_per_row=3
    ).avoid_single_seats


# Companion seats.


def test_a_companion_seat_alone_is_refused(accessible):
    before = everything(accessible)
    with pytest.raises(CompanionSeat) as refused:
        hold(accessible, "alice", "A2")
    assert refused.value.code == "companion_seat"
    assert refused.value.seat_ids == [by_label(accessible)["A2"]]
    assert refused.value.message == (
        "Seat A2 is a companion seat for wheelchair space A1: hold the wheelchair "
        "space first, or together."
    )
    assert everything(accessible) == before


def test_a_companion_seat_with_its_space_is_fine(accessible):
    result = hold(accessible, "alice", "A1", "A2")
    assert labels(result.seat_ids) == ["A1", "A2"]


def test_the_holder_of_the_space_may_add_its_companion(accessible):
    hold(accessible, "alice", "B3")
    result = hold(accessible, "alice", "B4", at=1)
    assert labels(result.seat_ids) == ["B4"]
    # Somebody else may not: the space is not theirs.
    with pytest.raises(CompanionSeat):
        hold(accessible, "bob", "B2", at=2)


def test_a_companion_seat_of_a_lapsed_space_is_refused(accessible):
    hold(accessible, "alice", "B3")
    with pytest.raises(CompanionSeat):
        hold(accessible, "alice", "B4", at=301)


def test_releasing_the_space_but_keeping_its_companion_is_refused(accessible):
    hold(accessible, "alice", "B3", "B4")
    before = everything(accessible)
    with pytest.raises(CompanionSeat) as refused:
        release(accessible, "alice", "B3")
    assert refused.value.seat_ids == [by_label(accessible)["B4"]]
    assert refused.value.message == (
        "Seat B4 is a companion seat for wheelchair space B3: release it too, or "
        "keep the wheelchair space."
    )
    assert everything(accessible) == before
    # The companion alone may go; then the space may too.
    assert labels(release(accessible, "alice", "B4")) == ["B4"]
    assert labels(release(accessible, "alice", "B3", at=2)) == ["B3"]


def test_releasing_the_space_with_its_companions_is_fine(accessible):
    hold(accessible, "alice", "B2", "B3", "B4")
    assert labels(release(accessible, "alice", "B2", "B3", "B4")) == [
        "B2",
        "B3",
        "B4",
    ]


def test_booking_a_space_and_its_companion_is_fine(accessible):
    hold(accessible, "alice", "A1", "A2")
    seats = by_label(accessible)
    booked = services.book_seats(
        event_id=accessible.id,
        holder="alice",
        seat_ids=[seats["A1"], seats["A2"]],
        now=later(1),
    )
    assert labels(booked.seat_ids) == ["A1", "A2"]


# Accessible best available.


def test_accessible_best_available_holds_a_space_and_its_companions(accessible):
    result = services.hold_best(
        event_id=accessible.id, holder="alice", count=2, accessible=True, now=later(0)
    )
    # A1 is nearer the front than B3.
    assert labels(result.seat_ids) == ["A1", "A2"]
    result = services.hold_best(
        event_id=accessible.id, holder="bob", count=3, accessible=True, now=later(1)
    )
    assert labels(result.seat_ids) == ["B2", "B3", "B4"]


def test_accessible_best_available_of_one_is_a_wheelchair_space(accessible):
    result = services.hold_best(
        event_id=accessible.id,
        holder="alice",
        count=1,
        accessible=True,
        category="standard",
        now=later(0),
    )
    assert labels(result.seat_ids) == ["B3"]


def test_no_space_with_enough_companions_is_a_clear_error(accessible):
    before = everything(accessible)
    with pytest.raises(NoAccessibleSeats) as refused:
        services.hold_best(
            event_id=accessible.id,
            holder="alice",
            count=4,
            accessible=True,
            now=later(0),
        )
    assert refused.value.code == "no_accessible_seats"
    assert refused.value.message == (
        "There is no free wheelchair space with 3 free companion seats left."
    )
    with pytest.raises(NoAccessibleSeats) as refused:
        services.hold_best(
            event_id=accessible.id,
            holder="alice",
            count=3,
            accessible=True,
            category="premium",
            now=later(0),
        )
    assert "wheelchair space in premium" in refused.value.message
    assert everything(accessible) == before


def test_plain_best_available_leaves_the_accessible_seats(accessible):
    result = services.hold_best(
        event_id=accessible.id, holder="alice", count=3, now=later(0)
    )
    assert labels(result.seat_ids) == ["A3", "A4", "A5"]
    assert not Seat.objects.filter(id__in=result.seat_ids, wheelchair=True).exists()


# Through the socket.


@pytest.fixture
async def sockets(settings):
    """Sockets served on the test's loop, without heartbeats (as in tests/realtime)."""
    settings.SEAT_HEARTBEAT_SECONDS = 0
    async with serving_on_this_loop():
        yield


@pytest.mark.django_db(transaction=True)
async def test_an_accessible_request_over_the_socket(accessible, sockets):
    seats = await database_sync_to_async(by_label)(accessible)
    client, _ = await event_client(accessible.id)
    reply = await client.request(
        {"type": "hold_best", "count": 2, "accessible": True, "request_id": 1}
    )
    assert reply["type"] == "hold.ok"
    assert reply["seat_ids"] == [seats["A1"], seats["A2"]]
    await client.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("value", ["yes", 1, None, [True]])
async def test_a_non_boolean_accessible_is_a_bad_request(accessible, sockets, value):
    client, snapshot = await event_client(accessible.id)
    reply = await client.request(
        {"type": "hold_best", "count": 2, "accessible": value, "request_id": "r"}
    )
    assert reply["type"] == "error"
    assert reply["code"] == "bad_request"
    assert reply["request_id"] == "r"
    assert not await database_sync_to_async(
        Seat.objects.filter(event=accessible).exclude(holder="").exists
    )()
    await client.close()


@pytest.mark.django_db(transaction=True)
async def test_a_stranding_hold_over_the_socket_names_the_seat(strict, sockets):
    seats = await database_sync_to_async(by_label)(strict)
    client, _ = await event_client(strict.id)
    reply = await client.request(
        {"type": "hold", "seat_ids": [seats["A1"], seats["A3"]]}
    )
    assert reply["type"] == "error"
    assert reply["code"] == "single_seat_left"
    assert reply["seat_ids"] == [seats["A2"]]
    assert "A2" in reply["message"]
    await client.close()
