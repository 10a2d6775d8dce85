"""Bookings made before 0005 get their seat list from the seat rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("seats", "0004_seating_plans")]
AFTER = [("seats", "0005_checkout_bookings_webhooks")]


def test_old_bookings_keep_their_seats():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Event = apps.get_model("seats", "Event")
    PriceCategory = apps.get_model("seats", "PriceCategory")
    Seat = apps.get_model("seats", "Seat")
    Booking = apps.get_model("seats", "Booking")
    now = timezone.now()
    event = Event.objects.create(name="Old", starts_at=now)
    category = PriceCategory.objects.create(
        event=event, code="std", name="Standard", price=10
    )
    booking = Booking.objects.create(
        reference="BK-OLD00001", event=event, holder="h_x", created_at=now
    )
    for number in (1, 2):
        Seat.objects.create(
            event=event,
            key=f"k{number}",
            row="A",
            number=number,
            label=f"A{number}",
            x=number,
            y=0,
            category=category,
            booking=booking if number == 1 else None,
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    migrated = apps.get_model("seats", "Booking").objects.get(reference="BK-OLD00001")
    seat_id = apps.get_model("seats", "Seat").objects.get(label="A1").id
    assert migrated.seat_list == [{"id": seat_id, "label": "A1"}]

    # Back to the latest state for the tests after this one.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
