"""The tail of every state change: next version, activity rows, announcement.

Each announced change gets exactly one new event version, the activity log
gets one row per seat under that version, the webhook outbox one message per
hold, and the `SeatChange` goes out only after the transaction commits. One
change, one version, one announcement: clients detect a missed message by a
gap in versions. A change is described once, as groups of one holder's
seats (`SeatGroup`), the shape every caller has at hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection

from seats.models import Activity, Event
from seats.outbox import writer as outbox
from seats.services.locking import require_transaction
from seats.signals import SeatChange, SeatGroup, announce_on_commit
from seats.sql import prepared_cursor

T = TypeVar("T")

# Rows per statement when a change touches thousands of seats (SQLite caps
# the number of bound parameters per statement).
CHUNK = 500


# A change of the event's seating plan: a version of its own, no seat rows
# (the geometry changed, not who holds what), announced like any change.
PLAN_CHANGED = "plan_changed"


def record_change(
    *,
    event_id: int,
    reason: str,
    groups: Sequence[SeatGroup],
    now: datetime,
    staff: str = "",
    note: str = "",
) -> int:
    """Bump the version, log one row per seat, write the webhook outbox,
    announce after commit; returns the new version.

    `reason` is an `Activity.Kind` (or PLAN_CHANGED, with no groups). Each
    group is one holder's seats (seats.signals.SeatGroup): its rows are
    logged under that holder, and it is one webhook message. `staff` (a
    username) and `note` go on every activity row of a change staff made.
    """
    require_transaction()
    rows = [(seat.id, g.holder) for g in groups for seat in g.seats]
    if connection.vendor == "postgresql" and rows:
        # One round trip for the bump, the first rows of the log and the
        # webhook endpoints.
        version = _bump_and_log(event_id, reason, rows[:CHUNK], now, staff, note)
        rest = rows[CHUNK:]
    else:
        # The bump locks the event's row until commit: nothing that can
        # run before it runs after it.
        outbox.read_endpoints()
        version = _bump_version(event_id)
        rest = rows
    _log(event_id, str(reason), rest, now, version, staff, note)
    outbox.enqueue_seat_change(
        event_id=event_id, version=version, reason=str(reason), groups=groups, now=now
    )
    announce_on_commit(
        SeatChange(
            event_id=event_id,
            version=version,
            reason=str(reason),
            at=now,
            groups=tuple(groups),
        )
    )
    return version


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bump_and_log(
    event_id: int,
    reason: str,
    rows: Sequence[tuple[int, str]],
    now: datetime,
    staff: str,
    note: str,
) -> int:
    """PostgreSQL: the version bump and these activity rows in one statement,
    which also reads the webhook endpoints for the outbox.

    A data-modifying CTE (SQLite has none): the UPDATE's new version feeds
    the INSERT, so both happen in one round trip while the locks are held,
    and nothing the outbox needs is left to read after the event row's lock.
    """
    quote = connection.ops.quote_name
    events, activity = quote(Event._meta.db_table), quote(Activity._meta.db_table)
    values = ", ".join(["(%s::bigint, %s::text)"] * len(rows))
    sql = (
        f"WITH bumped AS (UPDATE {events} SET version = version + 1 "
        "WHERE id = %s RETURNING version), "
        f"logged AS (INSERT INTO {activity} {_LOG_COLUMNS} "
        "SELECT %s, row.seat_id, %s, row.holder, %s, bumped.version, %s, %s "
        f"FROM bumped, (VALUES {values}) AS row (seat_id, holder) "
        "RETURNING version) "
        "SELECT (SELECT version FROM bumped), "
        "(SELECT coalesce(json_agg(json_build_array(ep.id, ep.event_types)), "
        f"'[]'::json) FROM ({outbox.endpoints_sql()}) ep)"
    )
    params: list[int | str | datetime] = [
        *(event_id, event_id, str(reason), now, staff, note)
    ]
    for seat_id, holder in rows:
        params += [seat_id, holder]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None and row[0] is not None, (
        f"event {event_id} vanished inside its own transaction"
    )
    outbox.remember_endpoints(row[1])
    return int(row[0])


# Activity rows per INSERT of `_log`: eight parameters each, within SQLite's
# smallest cap on a statement's parameters (999), as Django's bulk_create.
LOG_ROWS = 999 // 8
_LOG_COLUMNS = "(event_id, seat_id, kind, holder, at, version, staff, note)"


def _log(
    event_id: int,
    reason: str,
    rows: Sequence[tuple[int, str]],
    now: datetime,
    version: int,
    staff: str,
    note: str,
) -> None:
    """These activity rows under `version`, as plain INSERTs of LOG_ROWS
    rows at most: the ORM's bulk_create cost a third of an embedded
    click's CPU in the services (BENCHMARKS.md, "The activity rows as plain
    INSERTs"). Django's plain cursor, not the prepared one: each count of
    rows would be a statement prepared and kept of its own on PostgreSQL,
    pushing the clicks' statements out, and there the common case (up to
    CHUNK rows) goes with the version bump anyway."""
    activity = connection.ops.quote_name(Activity._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    for part in chunks(rows, LOG_ROWS):
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(part))
        params: list[Any] = []
        for seat_id, holder in part:
            params += [event_id, seat_id, reason, holder, at, version, staff, note]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {activity} {_LOG_COLUMNS} VALUES {values}", params
            )


def _bump_version(event_id: int) -> int:
    """The event's next version, allocated inside the caller's transaction."""
    table = connection.ops.quote_name(Event._meta.db_table)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET version = version + 1 WHERE id = %s RETURNING version",
            [event_id],
        )
        row = cursor.fetchone()
    assert row is not None, f"event {event_id} vanished inside its own transaction"
    return int(row[0])
