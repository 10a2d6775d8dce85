"""PostgreSQL: the one-call hold and release, for events that avoid single seats.

The single-seat rule is judged in Python on a read of the seats' runs, just
before the call. These overloads of `seats_take_free` (0011) and
`seats_free_held` (0013) take one more argument, the ids that read found
taken in those runs, lock every seat of the runs first (in id order, the
order of every service) and change nothing unless the same seats are taken
now. So two requests in one run take turns, and one cannot strand a seat
the other's verdict counted on; the long way locks the runs the same way
(services.locking.lock_seats). The 0011 and 0013 signatures stay for events
without the rule, and for workers of the previous release during an upgrade.
"""

import importlib

from django.db import migrations

RUN_CHECK = r"""
    -- The single-seat rule was judged on a read of the seats' runs
    -- (p_run_taken: the ids not available in them then): lock the runs in
    -- id order and go on only if the same seats are taken now.
    PERFORM 1 FROM seats_seat s
    WHERE s.event_id = p_event AND s.run <> '' AND s.run IN (
        SELECT r.run FROM seats_seat r
        WHERE r.event_id = p_event AND r.id = ANY (p_seats))
    ORDER BY s.id
    FOR UPDATE;
    IF ARRAY(
        SELECT s.id::bigint FROM seats_seat s
        WHERE s.event_id = p_event AND s.run <> '' AND s.run IN (
            SELECT r.run FROM seats_seat r
            WHERE r.event_id = p_event AND r.id = ANY (p_seats))
          AND NOT (s.booking_id IS NULL AND NOT s.blocked
                   AND (s.held_until IS NULL OR s.held_until <= p_now))
        ORDER BY s.id
    ) IS DISTINCT FROM p_run_taken THEN
        RETURN;
    END IF;
"""

LOCK_TIMEOUT = "    PERFORM set_config('lock_timeout', p_lock_timeout, true);\n"


def with_run_check(function: str) -> str:
    """The 0011/0013 function as an overload taking `p_run_taken`."""
    signature = "p_lock_timeout text\n) RETURNS"
    assert function.count(signature) == 1 and function.count(LOCK_TIMEOUT) == 1
    return function.replace(
        signature, "p_lock_timeout text, p_run_taken bigint[]\n) RETURNS"
    ).replace(LOCK_TIMEOUT, LOCK_TIMEOUT + RUN_CHECK)


def _sources() -> list[str]:
    take = importlib.import_module("seats.migrations.0011_take_free_seats_function")
    free = importlib.import_module("seats.migrations.0013_free_held_seats_function")
    return [with_run_check(take.TAKE_FREE), with_run_check(free.FREE_HELD)]


DROPS = [
    "DROP FUNCTION IF EXISTS seats_take_free(bigint, text, bigint[], timestamptz,"
    " text, timestamptz, timestamptz, bigint, text, bigint[])",
    "DROP FUNCTION IF EXISTS seats_free_held(bigint, text, bigint[], timestamptz,"
    " text, bigint[])",
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for source in _sources():
            schema_editor.execute(source, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for drop in DROPS:
            schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("seats", "0016_repair_openings_outside_the_century")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
