"""The sweeper's one-statement lookup (selectors.next_due) keeps the ORM's rules."""

from __future__ import annotations

import pytest

from seats import selectors, services
from seats.models import Hold, Seat
from seats.waiting import services as waiting
from tests.conftest import later


def by_the_orm(now) -> selectors.NextDue:
    """The same question asked through the models' own rules (and the
    sweep's own queries, `services.release_expired`)."""
    expiry = (
        Seat.objects.filter(hold__isnull=False)
        .held_at(now)
        .order_by("held_until")
        .values_list("held_until", flat=True)
        .first()
    )
    spent = (
        Hold.objects.filter(expires_at__lte=now)
        .exclude(id__in=Seat.objects.filter(hold__isnull=False).values("hold_id"))
        .exists()
    )
    lapsed = Seat.objects.lapsed_at(now).exists() or spent
    return selectors.NextDue(expiry, waiting.next_opening(now), lapsed)


def ids(event) -> list[int]:
    return list(
        Seat.objects.filter(event=event).order_by("pk").values_list("id", flat=True)
    )


@pytest.mark.django_db
def test_the_first_running_hold_and_the_first_room_to_open(make_event, hold_settings):
    sale, other, queued, closed = (make_event(name=n) for n in "ABCD")
    a, b = ids(sale), ids(other)
    assert selectors.next_due(later(0)) == selectors.NextDue(None, None)

    services.hold_seats(event_id=sale.id, holder="alice", seat_ids=a[:2], now=later(0))
    # A fraction of a second: the microseconds survive SQLite's text.
    services.hold_seats(
        event_id=other.id, holder="bob", seat_ids=b[:1], now=later(100.25)
    )
    # A booked seat is no running hold (the database keeps blocked seats
    # free of holds altogether).
    services.hold_seats(event_id=sale.id, holder="carol", seat_ids=a[2:3], now=later(1))
    services.book_seats(event_id=sale.id, holder="carol", seat_ids=a[2:3], now=later(2))
    # Only a room that is on counts.
    waiting.configure(event_id=queued.id, enabled=True, opens_at=later(200))
    waiting.configure(event_id=closed.id, enabled=False, opens_at=later(150))

    assert selectors.next_due(later(0)) == selectors.NextDue(later(300), later(200))
    # Alice's hold ends at 300 (inclusive): the sweep has work from then on.
    assert selectors.next_due(later(299.999)).lapsed is False
    assert selectors.next_due(later(300)) == selectors.NextDue(
        later(400.25), None, lapsed=True
    )
    for at in (0, 2.5, 149, 150, 199.5, 200, 299.999, 300, 350, 400.25, 400.3, 900):
        assert selectors.next_due(later(at)) == by_the_orm(later(at)), at
    assert selectors.next_due(later(900)) == selectors.NextDue(None, None, True)
    # Swept, nothing is left to do; a hold row without seats is work too.
    services.release_expired(now=later(900))
    assert selectors.next_due(later(900)) == selectors.NextDue(None, None)
    Hold.objects.create(
        token="spent",
        event=sale,
        holder="dan",
        created_at=later(901),
        expires_at=later(1201),
        max_expires_at=later(1201),
    )
    for at in (901, 1200.5, 1201):
        assert selectors.next_due(later(at)) == by_the_orm(later(at)), at
    assert selectors.next_due(later(1201)) == selectors.NextDue(None, None, True)
