"""0021 gives existing bookings their booked seats, cancelled ones marked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("seats", "0020_click_functions")]
AFTER = [("seats", "0021_booked_seats")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_old_bookings_get_their_seats_and_cancellations():
    apps = migrate(BEFORE)
    Event = apps.get_model("seats", "Event")
    Seat = apps.get_model("seats", "Seat")
    Booking = apps.get_model("seats", "Booking")
    Activity = apps.get_model("seats", "Activity")
    now = timezone.now()
    event = Event.objects.create(name="Old", starts_at=now)
    category = apps.get_model("seats", "PriceCategory").objects.create(
        event=event, code="std", name="Standard", price=Decimal("12.50")
    )
    seats = [
        Seat.objects.create(
            event=event,
            key=f"k{n}",
            section="Stalls",
            row="A",
            number=n,
            label=f"A{n}",
            x=n,
            y=0,
            category=category,
        )
        for n in (1, 2, 3)
    ]
    partly = Booking.objects.create(
        reference="BK-PARTLY01",
        event=event,
        holder="s_ann",
        created_at=now,
        seat_list=[{"id": s.id, "label": s.label} for s in seats[:2]],
    )
    Seat.objects.filter(pk=seats[1].pk).update(booking=partly)
    Activity.objects.create(
        event=event,
        seat=seats[0],
        kind="cancelled",
        holder="s_ann",
        at=now + timedelta(minutes=5),
        version=2,
    )
    whole = Booking.objects.create(
        reference="BK-WHOLE001",
        event=event,
        holder="h_x",
        created_at=now,
        cancelled_at=now + timedelta(hours=1),
        seat_list=[{"id": seats[2].id, "label": "A3"}],
    )

    apps = migrate(AFTER)
    BookedSeat = apps.get_model("seats", "BookedSeat")
    rows = {
        (r.booking_id, r.label): r for r in BookedSeat.objects.order_by("booking_id")
    }
    assert set(rows) == {(partly.pk, "A1"), (partly.pk, "A2"), (whole.pk, "A3")}
    a1, a2, a3 = rows[partly.pk, "A1"], rows[partly.pk, "A2"], rows[whole.pk, "A3"]
    assert a1.cancelled_at == now + timedelta(minutes=5)
    assert a1.refunded == Decimal("12.50")
    assert a2.cancelled_at is None and a2.refunded is None
    assert (a2.section, a2.row, a2.number, a2.category_code, a2.price) == (
        "Stalls",
        "A",
        2,
        "std",
        Decimal("12.50"),
    )
    # No log row for it: the booking's own cancellation time.
    assert a3.cancelled_at == now + timedelta(hours=1)

    # Back to the latest state for the tests after this one.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
