"""New seats get planner statistics at once (PostgreSQL), so a hold's
`id IN (...)` statements use the primary key from the first click on."""

from __future__ import annotations

import pytest
from django.db import connection

from plans.venues import create_venue
from seats.models import Seat
from seats.services import statements

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _estimated_rows() -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s",
            [Seat._meta.db_table],
        )
        return float(cursor.fetchone()[0])


def test_a_new_venue_is_analysed_and_a_hold_updates_by_primary_key():
    event = create_venue(name="Fresh", rows=40, seats_per_row=50)
    # reltuples is -1 (never analysed) or stale until ANALYZE runs.
    assert _estimated_rows() >= 2000
    ids = list(Seat.objects.filter(event=event).values_list("id", flat=True)[:4])
    sql = statements._take_sql(len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN " + sql,
            [1, "h", "2030-01-01T00:00:00Z", *ids, "2030-01-01T00:00:00Z"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "seats_seat_pkey" in plan, plan
