"""Inside Django: the SQL statements each seat operation sends, counted.

    python -m bench.scenarios.statements_job

Run by the statements scenario in a stack's environment (SQLite or
PostgreSQL); prints one JSON line. `count_statements()` is also what
tests/seats/test_statement_counts.py holds to a budget. Everything happens
in one transaction that is rolled back, so the database is left as found;
the services' own transactions are savepoints in it, and savepoint
statements are not counted (outside it, each operation is one transaction:
its BEGIN and COMMIT are two more round trips on PostgreSQL, not counted
either). It works inside the project on purpose (bench/internals.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta

# The operations, in the order they run (each on what the previous left).
OPERATIONS = (
    "hold",
    "hold_more",
    "release",
    "extend",
    "book",
    "cancel",
    "hold_best",
    "sweep",
)


def count_statements() -> dict[str, int]:
    """Statements per operation on a small venue; call inside a transaction."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.internals import create_venue, services

    event = create_venue(
        name="Statements",
        rows=2,
        seats_per_row=10,
        premium_rows=1,
        avoid_single_seats=True,
    )
    seats = list(event.seats.order_by("pk").values_list("id", flat=True))
    start = timezone.now()

    def at(seconds: float):
        return start + timedelta(seconds=seconds)

    booking: list[str] = []
    steps: dict[str, Callable[[], object]] = {
        "hold": lambda: services.hold_seats(
            event_id=event.id, holder="a", seat_ids=seats[:2], now=at(0)
        ),
        "hold_more": lambda: services.hold_seats(
            event_id=event.id, holder="a", seat_ids=seats[2:3], now=at(1)
        ),
        "release": lambda: services.release_seats(
            event_id=event.id, holder="a", seat_ids=seats[2:3], now=at(2)
        ),
        "extend": lambda: services.extend_hold(
            event_id=event.id, holder="a", now=at(3)
        ),
        "book": lambda: booking.append(
            services.book_seats(
                event_id=event.id, holder="a", seat_ids=seats[:2], now=at(4)
            ).reference
        ),
        "cancel": lambda: services.cancel_booking(reference=booking[0], now=at(5)),
        "hold_best": lambda: services.hold_best(
            event_id=event.id, holder="b", count=2, now=at(6)
        ),
        "sweep": lambda: services.release_expired(now=at(10_000)),
    }
    counts: dict[str, int] = {}
    for name in OPERATIONS:
        with CaptureQueriesContext(connection) as captured:
            steps[name]()
        counts[name] = sum(
            1
            for query in captured.captured_queries
            if not query["sql"].lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))
        )
    return counts


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    with transaction.atomic():
        counts = count_statements()
        transaction.set_rollback(True)
    print(json.dumps({"vendor": connection.vendor, "counts": counts}))


if __name__ == "__main__":
    main()
