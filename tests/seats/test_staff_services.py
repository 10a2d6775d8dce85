"""Staff operations (seats.services.staff): block, release now, cancel, box office."""

from __future__ import annotations

from decimal import Decimal

import pytest

from seats import reports, services
from seats.errors import (
    BadRequest,
    SeatBlocked,
    SeatsHeld,
    SeatsUnavailable,
    TooManySeats,
)
from seats.models import Activity, Booking, Seat, SeatStatus
from seats.services import staff
from tests.conftest import later, snapshot_at

# Transactional: announcements go out on commit.
pytestmark = pytest.mark.django_db(transaction=True)


def status(seat_id: int, at: float = 0) -> str:
    return Seat.objects.get(pk=seat_id).status_at(later(at)).value


def test_a_blocked_seat_cannot_be_held_booked_or_picked(event, seat_ids, announcements):
    a, b = seat_ids[:2]
    assert staff.block_seats(
        event_id=event.id, seat_ids=[a], reason="sound desk", staff="ann", now=later(0)
    ) == [a]
    assert status(a) == "blocked"
    with pytest.raises(SeatsUnavailable):
        services.hold_seats(event_id=event.id, holder="h1", seat_ids=[a], now=later(1))
    best = services.hold_best(event_id=event.id, holder="h1", count=4, now=later(1))
    assert a not in best.seat_ids
    snapshot = snapshot_at(event.id, None, later(2))
    assert {s["id"]: s["status"] for s in snapshot["seats"]}[a] == "blocked"
    change = announcements[0]
    assert change.reason == "blocked" and [s.status for s in change.seats] == [
        SeatStatus.BLOCKED
    ]
    row = Activity.objects.get(seat_id=a, kind="blocked")
    assert (row.staff, row.note) == ("ann", "sound desk")

    assert staff.unblock_seats(
        event_id=event.id, seat_ids=[a, b], staff="ann", now=later(3)
    ) == [a]  # b was never blocked: left alone
    assert status(a, 3) == "available"
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=[a], now=later(4))


def test_blocking_needs_a_reason_and_refuses_booked_seats(event, seat_ids):
    a = seat_ids[0]
    with pytest.raises(BadRequest):
        staff.block_seats(event_id=event.id, seat_ids=[a], reason="  ", staff="ann")
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=[a], now=later(0))
    services.book_seats(event_id=event.id, holder="h1", seat_ids=[a], now=later(1))
    with pytest.raises(SeatsUnavailable, match="cancel the booking"):
        staff.block_seats(
            event_id=event.id, seat_ids=[a], reason="broken", staff="ann", now=later(2)
        )
    assert status(a, 2) == "booked"


def test_blocking_a_held_seat_says_how_long_unless_the_hold_is_released(
    event, seat_ids, announcements
):
    a, b = seat_ids[:2]
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=[a, b], now=later(0))
    with pytest.raises(SeatsHeld, match="4:50") as refused:
        staff.block_seats(
            event_id=event.id, seat_ids=[a], reason="house", staff="ann", now=later(10)
        )
    assert refused.value.seat_ids == [a]
    assert status(a, 10) == "held"  # nothing changed

    staff.block_seats(
        event_id=event.id,
        seat_ids=[a],
        reason="house",
        staff="ann",
        release_holds=True,
        now=later(10),
    )
    assert [c.reason for c in announcements[1:]] == ["released", "blocked"]
    assert (status(a, 11), status(b, 11)) == ("blocked", "held")  # b stays held
    released = Activity.objects.get(seat_id=a, kind="released")
    assert (released.holder, released.staff) == ("h1", "ann")


def test_bulk_block_of_a_row(event):
    row = reports.seats_in(event_id=event.id, row="A")
    assert len(row) == 5
    staff.block_seats(event_id=event.id, seat_ids=row, reason="press", staff="ann")
    assert Seat.objects.filter(event=event, blocked=True).count() == 5
    assert reports.seats_in(event_id=event.id, row="Z") == []


def test_release_now_frees_a_seat_or_a_holders_whole_hold(event, seat_ids):
    a, b, c = seat_ids[:3]
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=[a, b], now=later(0))
    services.hold_seats(event_id=event.id, holder="h2", seat_ids=[c], now=later(0))
    assert staff.release_now(
        event_id=event.id, seat_ids=[a], staff="ann", now=later(5)
    ) == [a]
    assert (status(a, 5), status(b, 5)) == ("available", "held")
    assert staff.release_now(
        event_id=event.id, holder="h1", staff="ann", now=later(6)
    ) == [b]
    assert status(c, 6) == "held"
    with pytest.raises(BadRequest):
        staff.release_now(event_id=event.id, seat_ids=[a], staff="ann", now=later(7))
    assert Activity.objects.filter(kind="released", staff="ann").count() == 2


def test_a_box_office_sale_goes_beyond_the_per_holder_limit(
    event, seat_ids, hold_settings
):
    hold_settings.SEAT_MAX_PER_HOLDER = 2
    wanted = seat_ids[:4]
    with pytest.raises(TooManySeats):
        services.hold_seats(event_id=event.id, holder="h1", seat_ids=wanted)
    sold = staff.sell_at_box_office(
        event_id=event.id,
        seat_ids=wanted,
        customer_name="Walk-in Wanda",
        payment_note="cash",
        staff="ann",
        now=later(0),
    )
    booking = Booking.objects.get(reference=sold.reference)
    assert booking.channel == "box_office" and booking.sold_by == "ann"
    assert booking.customer_name == "Walk-in Wanda" and booking.payment_note == "cash"
    assert all(status(s) == "booked" for s in wanted)


def test_a_box_office_sale_refuses_held_seats_and_blocked_ones_unless_confirmed(
    event, seat_ids
):
    a, b = seat_ids[:2]
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=[a], now=later(0))
    staff.block_seats(
        event_id=event.id, seat_ids=[b], reason="house", staff="ann", now=later(0)
    )
    with pytest.raises(SeatsHeld):
        staff.sell_at_box_office(
            event_id=event.id,
            seat_ids=[a],
            customer_name="X",
            staff="ann",
            now=later(1),
        )
    with pytest.raises(SeatBlocked, match="house"):
        staff.sell_at_box_office(
            event_id=event.id,
            seat_ids=[b],
            customer_name="X",
            staff="ann",
            now=later(1),
        )
    with pytest.raises(BadRequest):
        staff.sell_at_box_office(
            event_id=event.id, seat_ids=[b], customer_name=" ", staff="ann"
        )
    staff.sell_at_box_office(
        event_id=event.id,
        seat_ids=[b],
        customer_name="X",
        staff="ann",
        include_blocked=True,
        now=later(1),
    )
    seat = Seat.objects.get(pk=b)
    assert seat.booking_id is not None and not seat.blocked


def test_cancelling_some_seats_keeps_the_booking_and_its_history(event, seat_ids):
    a, b = seat_ids[:2]
    sold = staff.sell_at_box_office(
        event_id=event.id, seat_ids=[a, b], customer_name="Y", staff="ann", now=later(0)
    )
    booking = services.cancel_booking(
        reference=sold.reference, seat_ids=[a], staff="bob", now=later(1)
    )
    assert not booking.is_cancelled
    assert (status(a, 1), status(b, 1)) == ("available", "booked")
    with pytest.raises(BadRequest):
        services.cancel_booking(reference=sold.reference, seat_ids=[a], staff="bob")
    booking = services.cancel_booking(
        reference=sold.reference, seat_ids=[b], staff="bob", now=later(2)
    )
    assert booking.is_cancelled
    assert [s["id"] for s in booking.seat_list] == [a, b]

    history = reports.seat_history(event_id=event.id, seat_id=a, now=later(3))
    assert [(e.kind, e.staff) for e in history.entries] == [
        ("cancelled", "bob"),
        ("booked", "ann"),
    ]
    assert history.status is SeatStatus.AVAILABLE


def test_cancel_seats_takes_them_out_of_each_of_their_bookings(event, seat_ids):
    a, b, c = seat_ids[:3]
    one = staff.sell_at_box_office(
        event_id=event.id, seat_ids=[a, b], customer_name="P", staff="ann"
    )
    two = staff.sell_at_box_office(
        event_id=event.id, seat_ids=[c], customer_name="Q", staff="ann"
    )
    touched = staff.cancel_seats(event_id=event.id, seat_ids=[b, c], staff="bob")
    assert sorted(touched) == sorted([one.reference, two.reference])
    assert not Booking.objects.get(reference=one.reference).is_cancelled
    assert Booking.objects.get(reference=two.reference).is_cancelled
    assert [status(s, 10_000) for s in (a, b, c)] == [
        "booked",
        "available",
        "available",
    ]
    with pytest.raises(BadRequest):
        staff.cancel_seats(event_id=event.id, seat_ids=[a, b], staff="bob")
    assert status(a, 10_000) == "booked"  # all or nothing


def test_the_report_agrees_with_the_map(event, seat_ids):
    a, b, c, d = seat_ids[:4]
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=[a], now=later(0))
    staff.block_seats(
        event_id=event.id, seat_ids=[b], reason="house", staff="ann", now=later(0)
    )
    staff.sell_at_box_office(
        event_id=event.id, seat_ids=[c, d], customer_name="Z", staff="ann", now=later(0)
    )
    report = reports.event_report(event_id=event.id, now=later(1))
    snapshot = snapshot_at(event.id, None, later(1))
    on_map: dict[str, int] = {}
    for seat in snapshot["seats"]:
        on_map[seat["status"]] = on_map.get(seat["status"], 0) + 1
    assert {k: v for k, v in report.totals.items() if v} == on_map
    assert report.totals["held"] == 1 and report.totals["blocked"] == 1
    prices = {c.code: c.price for c in report.categories}
    sold = Seat.objects.filter(pk__in=[c, d]).select_related("category")
    assert report.revenue == sum((prices[s.category.code] for s in sold), Decimal(0))
    # A hold past its time counts as available, swept or not.
    later_report = reports.event_report(event_id=event.id, now=later(10_000))
    assert later_report.totals["held"] == 0


def test_blocking_a_seat_whose_hold_lapsed_unswept_ends_that_hold_first(
    event, seat_ids, announcements
):
    a = seat_ids[0]
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=[a], now=later(0))
    staff.block_seats(
        event_id=event.id, seat_ids=[a], reason="broken", staff="ann", now=later(400)
    )  # the 300 s hold ran out at 300 and was never swept
    assert [c.reason for c in announcements] == ["held", "expired", "blocked"]
    seat = Seat.objects.get(pk=a)
    assert seat.blocked and seat.hold_id is None and seat.holder == ""
