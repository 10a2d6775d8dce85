"""No seat operation may send more SQL statements than it does today.

Fewer statements are fewer round trips while the row locks are held. The
counts come from bench/scenarios/statements_job.py (also in `make bench`);
this runs on SQLite and, in `make test`, on PostgreSQL, which sends one
more in each locked transaction (the local lock_timeout) and two fewer per
change (the version bump and the activity rows share one statement, a
data-modifying CTE SQLite does not have, which reads the webhook
endpoints too). When an operation
really needs another statement, raise its budget here and say why in the
commit; when one is saved, lower it.
"""

from __future__ import annotations

import pytest
from django.db import connection

from bench.scenarios.statements_job import OPERATIONS, count_statements

pytestmark = pytest.mark.django_db

# Statements on SQLite; savepoints, BEGIN and COMMIT not counted.
BUDGET = {
    "hold": 9,
    "hold_more": 9,
    "release": 8,
    "extend": 8,
    # A booking writes its own record of the seats (BookedSeat): their place
    # and price copied in its one INSERT; a cancellation marks those rows.
    "book": 10,
    "cancel": 9,
    "hold_best": 10,
    "sweep": 8,
}
# Operations in locked_transaction(): one local lock_timeout more on PostgreSQL.
# Statements PostgreSQL merges into one of the others (data-modifying CTEs):
# a release clears its seats, finds its hold emptied and deletes it in one
# (two or three statements on SQLite, as the hold empties or not).
MERGED_ON_POSTGRESQL = {"release": 1}
LOCKED = {"hold", "hold_more", "release", "extend", "book", "cancel", "hold_best"}


# PostgreSQL holds plainly free seats, and releases seats of a running hold,
# in one call of seats_take_free or seats_free_held (services.one_call): the
# read of the seats, their neighbours for the single-seat rule, and the call.
# This venue has the single-seat rule, so the first hold also tries the
# click function once (seats_click_hold: outcome `event`); the event's
# clicks then skip it for a while. On a plain event a click is one
# statement (tests/seats/test_click_functions.py).
ONE_CALL_ON_POSTGRESQL = {"hold": 4, "hold_more": 3, "release": 3}


def budget(operation: str) -> int:
    if connection.vendor != "postgresql":
        return BUDGET[operation]
    if operation in ONE_CALL_ON_POSTGRESQL:
        return ONE_CALL_ON_POSTGRESQL[operation]
    # Each of these operations records exactly one change, whose version
    # bump, activity rows and webhook endpoints are one statement there (two
    # fewer: the endpoints' own read and the activity insert).
    merged = MERGED_ON_POSTGRESQL.get(operation, 0)
    return BUDGET[operation] + int(operation in LOCKED) - 2 - merged


def test_no_operation_sends_more_statements_than_its_budget():
    counts = count_statements()
    assert list(counts) == list(OPERATIONS)
    over = {op: (n, budget(op)) for op, n in counts.items() if n > budget(op)}
    assert not over, f"statements (sent, budget): {over}"


def test_the_budget_is_tight():
    """A saving lowers the budget too, so the next growth is caught."""
    counts = count_statements()
    slack = {op: (n, budget(op)) for op, n in counts.items() if n < budget(op)}
    assert not slack, f"lower these budgets (sent, budget): {slack}"
