"""Seats the box office keeps for a named person (staff.keep_seats): the
bounds, what is refused, and what becomes of them (sold, released, run out)."""

from __future__ import annotations

from datetime import datetime

import pytest

from seats import reports, selectors, services
from seats.errors import BadRequest, SeatsHeld, SeatsUnavailable
from seats.models import Activity, Booking, Event, Hold, Seat
from seats.services import staff
from tests.conftest import later, snapshot_at

# Transactional: announcements go out on commit.
pytestmark = pytest.mark.django_db(transaction=True)

DAY = 86400


@pytest.fixture(autouse=True)
def keep_cap(settings):
    settings.SEAT_BOX_OFFICE_HOLD_MAX_SECONDS = 7 * DAY
    return settings


def everything() -> tuple:
    """All mutable state, to show that a refused request changed nothing."""
    return (
        list(
            Seat.objects.order_by("pk").values_list(
                "id", "hold_id", "holder", "held_until", "booking_id", "blocked"
            )
        ),
        list(
            Hold.objects.order_by("pk").values_list(
                "id", "holder", "expires_at", "held_for"
            )
        ),
        list(Booking.objects.order_by("pk").values_list("id", flat=True)),
        list(Activity.objects.order_by("pk").values_list("id", flat=True)),
        list(Event.objects.order_by("pk").values_list("id", "version")),
    )


def keep(event, ids, *, until: datetime, at: float = 0, name="Mrs Smith"):
    return staff.keep_seats(
        event_id=event.id,
        seat_ids=ids,
        held_for=name,
        until=until,
        staff="ann",
        now=later(at),
    )


def test_seats_are_kept_for_someone_until_the_chosen_time(
    event, seat_ids, announcements
):
    kept = keep(event, seat_ids[:2], until=later(2 * DAY), name=" Mrs Smith, phoning ")

    assert kept.held_for == "Mrs Smith, phoning"
    assert kept.until == later(2 * DAY)
    assert kept.seat_ids == seat_ids[:2]
    assert kept.holder.startswith("b_")
    hold = Hold.objects.get(holder=kept.holder)
    assert (hold.held_for, hold.expires_at, hold.max_expires_at) == (
        "Mrs Smith, phoning",
        later(2 * DAY),
        later(2 * DAY),
    )
    assert set(
        Seat.objects.filter(id__in=seat_ids[:2]).values_list("held_until", flat=True)
    ) == {later(2 * DAY)}
    row = Activity.objects.get(seat_id=seat_ids[0])
    assert (row.kind, row.staff, row.note) == ("held", "ann", "for Mrs Smith, phoning")
    [change] = announcements
    assert change.reason == "held"
    assert {s.held_until for s in change.seats} == {later(2 * DAY)}
    # The public map sees held seats, never the name.
    snapshot = snapshot_at(event.id, None, later(60))
    assert {s["id"]: s["status"] for s in snapshot["seats"]}[seat_ids[0]] == "held"
    assert "Smith" not in str(snapshot)


def test_each_person_gets_a_hold_of_their_own(event, seat_ids):
    smith = keep(event, seat_ids[:1], until=later(3600), name="Smith")
    jones = keep(event, seat_ids[1:2], until=later(7200), name="Jones")
    assert smith.holder != jones.holder
    assert Hold.objects.filter(held_for__in=["Smith", "Jones"]).count() == 2


@pytest.mark.parametrize(
    "until",
    [
        later(59),  # less than a minute ahead
        later(-3600),  # past
        later(7 * DAY + 1),  # past the cap
        datetime(2026, 1, 2, 12, 0),  # no time zone
    ],
)
def test_a_time_out_of_bounds_is_refused_and_changes_nothing(event, seat_ids, until):
    before = everything()
    with pytest.raises(BadRequest) as caught:
        keep(event, seat_ids[:1], until=until)
    assert caught.value.code == "bad_request"
    assert everything() == before


def test_the_bounds_themselves_are_allowed(event, seat_ids):
    assert keep(event, seat_ids[:1], until=later(60)).until == later(60)
    assert keep(event, seat_ids[1:2], until=later(7 * DAY)).until == later(7 * DAY)


def test_the_cap_follows_the_setting(event, seat_ids, settings):
    settings.SEAT_BOX_OFFICE_HOLD_MAX_SECONDS = 2 * 3600
    with pytest.raises(BadRequest) as caught:
        keep(event, seat_ids[:1], until=later(2 * 3600 + 60))
    assert "2 hours" in caught.value.message


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_name_is_needed_and_kept_short(event, seat_ids, name):
    before = everything()
    with pytest.raises(BadRequest):
        keep(event, seat_ids[:1], until=later(3600), name=name)
    assert everything() == before


def test_booked_blocked_and_held_seats_are_refused_and_nothing_changes(event, seat_ids):
    a, b, c, d = seat_ids[:4]
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=[a], now=later(0))
    services.book_seats(event_id=event.id, holder="h1", seat_ids=[a], now=later(1))
    staff.block_seats(
        event_id=event.id, seat_ids=[b], reason="desk", staff="ann", now=later(2)
    )
    services.hold_seats(event_id=event.id, holder="h2", seat_ids=[c], now=later(3))
    before = everything()

    with pytest.raises(SeatsUnavailable):
        keep(event, [a, d], until=later(3600), at=10)
    with pytest.raises(SeatsUnavailable):
        keep(event, [b, d], until=later(3600), at=10)
    with pytest.raises(SeatsHeld):
        keep(event, [c, d], until=later(3600), at=10)

    assert everything() == before


def test_a_lapsed_customer_hold_does_not_stand_in_the_way(event, seat_ids):
    services.hold_seats(
        event_id=event.id, holder="h1", seat_ids=seat_ids[:1], now=later(0)
    )
    kept = keep(event, seat_ids[:1], until=later(3600), at=400)
    assert Seat.objects.get(pk=seat_ids[0]).holder == kept.holder
    kinds = Activity.objects.filter(seat_id=seat_ids[0]).order_by("id")
    assert list(kinds.values_list("kind", flat=True)) == ["held", "expired", "held"]


def test_the_box_office_sells_kept_seats(event, seat_ids, announcements):
    kept = keep(event, seat_ids[:2], until=later(DAY))

    sold = staff.sell_at_box_office(
        event_id=event.id,
        seat_ids=seat_ids[:2],
        customer_name="Mrs Smith",
        payment_note="card",
        staff="bob",
        now=later(3600),
    )

    assert sold.seat_ids == seat_ids[:2]
    assert set(
        Seat.objects.filter(id__in=seat_ids[:2]).values_list("booking_id", "hold_id")
    ) == {(sold.booking.id, None)}
    assert not Hold.objects.filter(holder=kept.holder).exists()
    assert [c.reason for c in announcements] == ["held", "released", "booked"]
    released = Activity.objects.get(seat_id=seat_ids[0], kind="released")
    assert (released.staff, released.note) == ("bob", "to sell")


def test_the_box_office_still_refuses_a_customers_hold(event, seat_ids):
    keep(event, seat_ids[:1], until=later(DAY))
    services.hold_seats(
        event_id=event.id, holder="h1", seat_ids=seat_ids[1:2], now=later(0)
    )
    before = everything()
    with pytest.raises(SeatsHeld) as caught:
        staff.sell_at_box_office(
            event_id=event.id,
            seat_ids=seat_ids[:2],
            customer_name="Walk-in",
            staff="bob",
            now=later(10),
        )
    assert caught.value.seat_ids == seat_ids[1:2]
    assert everything() == before


def test_kept_seats_can_be_released_by_staff(event, seat_ids):
    kept = keep(event, seat_ids[:2], until=later(DAY))
    freed = staff.release_now(
        event_id=event.id, holder=kept.holder, staff="ann", now=later(60)
    )
    assert freed == seat_ids[:2]
    assert Seat.objects.get(pk=seat_ids[0]).status_at(later(61)).value == "available"


def test_kept_seats_run_out_at_their_time(event, seat_ids):
    keep(event, seat_ids[:1], until=later(3600))
    assert services.release_expired(now=later(3599)) == []
    [expired] = services.release_expired(now=later(3601))
    assert expired.seat_id == seat_ids[0]


def test_the_dashboard_and_the_lookup_say_whom_and_until_when(event, seat_ids):
    services.hold_seats(
        event_id=event.id, holder="h1", seat_ids=seat_ids[2:3], now=later(0)
    )
    keep(event, seat_ids[:2], until=later(DAY), name="Mrs Smith, phoning back")

    holds = {h.holder: h for h in selectors.running_holds(later(60))}
    assert holds["h1"].held_for == ""
    [kept] = [h for h in holds.values() if h.held_for]
    assert (kept.held_for, kept.expires_at) == ("Mrs Smith, phoning back", later(DAY))

    [found] = reports.find_kept_holds("smith", now=later(60))
    assert (found.held_for, found.until, found.event_name) == (
        "Mrs Smith, phoning back",
        later(DAY),
        event.name,
    )
    assert found.seat_labels == ["A1", "A2"]
    assert reports.find_kept_holds("jones", now=later(60)) == []
    assert reports.find_kept_holds("smith", now=later(DAY + 1)) == []  # ran out
    assert reports.find_kept_holds("  ", now=later(60)) == []


def test_only_running_seats_are_listed(event, seat_ids):
    keep(event, seat_ids[:2], until=later(DAY))
    staff.release_now(
        event_id=event.id, seat_ids=seat_ids[:1], staff="ann", now=later(60)
    )
    [found] = reports.find_kept_holds("Smith", now=later(61))
    assert found.seat_labels == ["A2"]
