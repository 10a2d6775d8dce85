"""Inside Django: the SQL statements each seat operation sends, counted;
then the CPU a hold or a release costs, the figure they are cut for.

    python -m bench.scenarios.statements_job

Run by the statements scenario in a stack's environment (SQLite or
PostgreSQL); prints one JSON line. `count_statements()` is also what
tests/seats/test_statement_counts.py holds to a budget. The count happens
in one transaction that is rolled back; the services' own transactions are
savepoints in it, and savepoint statements are not counted (outside it,
each operation is one transaction: its BEGIN and COMMIT are two more round
trips on PostgreSQL, not counted either). `cpu_per_operation` then commits
its holds and releases like a worker would, on a venue of its own in the
stack's throwaway database. It works inside the project on purpose
(bench/internals.py).
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


# Hold+release pairs timed for the CPU they cost, after the count: enough
# for tables that grow as a sale's do and a figure that holds from run to
# run (BENCHMARKS.md, scenario 4b).
CPU_PAIRS = 2000


def cpu_per_operation(pairs: int = CPU_PAIRS) -> dict:
    """CPU per hold or release, one after another on one thread, each its own
    transaction (committed), on a 1,000-seat venue: this process's CPU and,
    on PostgreSQL on this machine, the CPU of the backend serving it."""
    import random
    import time

    from django.db import connection

    from bench.internals import create_venue, services

    event = create_venue(
        name="CPU", rows=20, seats_per_row=50, avoid_single_seats=False
    )
    seats = list(event.seats.values_list("id", flat=True))
    draw = random.Random(7)

    def run(count: int) -> None:
        for i in range(count):
            picked = draw.sample(seats, draw.randint(1, 4))
            holder = f"cpu{i % 50}"
            services.hold_seats(event_id=event.id, holder=holder, seat_ids=picked)
            services.release_seats(event_id=event.id, holder=holder, seat_ids=picked)

    run(30)  # warm-up: connections, caches, the first plans
    backend = _backend_pid()
    database_before = _process_cpu(backend)
    before = time.process_time()
    run(pairs)
    process = time.process_time() - before
    database_after = _process_cpu(backend)
    operations = 2 * pairs
    database = None
    if (
        database_before is not None
        and database_after is not None
        and _backend_pid() == backend
    ):
        database = (database_after - database_before) / operations * 1000
    return {
        "pairs": pairs,
        "process_ms": process / operations * 1000,
        "database_ms": database,
        "vendor": connection.vendor,
    }


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of a process on this machine (None if not here)."""
    import psutil

    from bench.context import cpu_seconds

    if pid is None:
        return None
    try:
        return cpu_seconds(pid)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    with transaction.atomic():
        counts = count_statements()
        transaction.set_rollback(True)
    cpu = cpu_per_operation(int(os.environ.get("BENCH_CPU_PAIRS", CPU_PAIRS)))
    print(json.dumps({"vendor": connection.vendor, "counts": counts, "cpu": cpu}))


if __name__ == "__main__":
    main()
