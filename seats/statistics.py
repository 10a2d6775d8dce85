"""Fresh planner statistics after many seats arrive at once (PostgreSQL).

Until the seats table is analysed, PostgreSQL plans as if it were nearly
empty: a hold's `UPDATE ... WHERE id IN (...)` then scanned every unbooked
seat through the booking index (2 ms instead of a tenth of that, measured
on a 12,000-seat table) until autovacuum got round to analysing it, which
an on-sale opened right after its plan was imported would pay on every
click. So whatever adds an event's seats asks for an ANALYZE once it has
committed. It samples a bounded number of rows, whatever the table's size.
"""

from __future__ import annotations

from django.db import connection, transaction

from seats.models import Seat


def analyze_seats_on_commit() -> None:
    """After the current transaction commits: ANALYZE the seats table."""
    if connection.vendor == "postgresql":
        transaction.on_commit(_analyze_seats)


def _analyze_seats() -> None:
    table = connection.ops.quote_name(Seat._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
