"""The seat operations' hottest statements, as SQL written once per shape.

For these short statements Django's query building and compiling cost more
CPU than the round trip itself (BENCHMARKS.md, "the CPU per operation"):
here each statement is a string built once per shape (its number of ids)
and sent with its parameters through Django's cursor, so query capture,
transactions and the connection pool see them like any other.

On PostgreSQL that cursor (`seats.sql.prepared_cursor`) binds parameters
on the server, so each shape is parsed and planned once per connection
and later runs send only their values.

The rules stay the models' own: `_FREE` and `_HELD` are `status_q` written
out as SQL, and tests/seats/test_status.py holds them to `status_of`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from django.db import connection
from django.db.models import Model

from seats.models import (
    BookedSeat,
    Event,
    Hold,
    PriceCategory,
    SalesChannel,
    Seat,
    WaitingRoom,
)
from seats.sql import aware, prepared_cursor

CENTS = Decimal("0.01")


# What the services, and the seat rules after them, read of the seats they
# lock; `avoids_single_seats`, the event's flag, comes along joined (the seat
# rules read it from there), `buyer_details`, what a booking must say of its
# buyer (seats.services.buyers), `room_on`, whether its waiting room is on,
# and `channel_releases_at`, when the seat's sales channel (if any) lets it go.
# Model.from_db wants its fields in model order.
def _in_model_order(model: type[Model], wanted: set[str]) -> tuple[str, ...]:
    names = tuple(f.attname for f in model._meta.concrete_fields if f.attname in wanted)
    assert len(names) == len(wanted), wanted - set(names)
    return names


_SEAT_FIELDS = _in_model_order(
    Seat,
    {"id", "label", "hold_id", "holder", "held_until", "booking_id", "blocked"}
    | {"run", "wheelchair", "companion_of_id", "channel_id", "table", "whole_table"},
)
_HOLD_FIELDS = _in_model_order(
    Hold,
    {"id", "token", "event_id", "holder"}
    | {"created_at", "expires_at", "max_expires_at"},
)
# Where the datetimes are in those rows (a raw cursor on SQLite gives them naive).
_SEAT_TIMES = [i for i, name in enumerate(_SEAT_FIELDS) if name == "held_until"]
_HOLD_TIMES = [i for i, name in enumerate(_HOLD_FIELDS) if name.endswith("_at")]


# Whether the event's waiting room is on, read with the seats: a hold asks
# it anyway (seats.waiting), and this way it costs no round trip of its own.
def _room_on() -> str:
    return (
        f"EXISTS (SELECT 1 FROM {_q(WaitingRoom._meta.db_table)} w "
        "WHERE w.event_id = s.event_id AND w.enabled)"
    )


# When the seat's channel releases it (NULL for a seat without a channel, or
# a channel that keeps it until further notice: `channel_id` tells them
# apart). A subquery, not a join: the seats' rows are the ones locked.
def _channel_releases_at() -> str:
    return (
        f"(SELECT c.releases_at FROM {_q(SalesChannel._meta.db_table)} c "
        "WHERE c.id = s.channel_id)"
    )


# status_q(AVAILABLE) and status_q(HELD) for a seats row `s`, at parameter %s.
_FREE = (
    "s.booking_id IS NULL AND NOT s.blocked "
    "AND (s.held_until IS NULL OR s.held_until <= %s)"
)
_HELD = "s.booking_id IS NULL AND NOT s.blocked AND s.held_until > %s"


# The SQL of a statement with `count` ids, per count: the click path's counts
# (1 to a handful) stay cached; a staff selection of thousands of seats does
# not keep its long string for ever.
shapes = lru_cache(maxsize=64)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(model: type[Model], attnames: Sequence[str], alias: str = "") -> str:
    column = {f.attname: f.column for f in model._meta.concrete_fields}
    return ", ".join(alias + _q(column[name]) for name in attnames)


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


@cache
def _seats_with_event() -> str:
    """The seat read's columns and join: the seat, its event's single-seat
    flag and buyer details, and whether its waiting room is on."""
    columns = _columns(Seat, _SEAT_FIELDS, "s.")
    return (
        f"SELECT {columns}, e.avoid_single_seats, e.buyer_details, {_room_on()}, "
        f"{_channel_releases_at()} "
        f"FROM {_q(Seat._meta.db_table)} s "
        f"JOIN {_q(Event._meta.db_table)} e ON e.id = s.event_id "
    )


@shapes
def _select_seats_sql(count: int, lock: bool, vendor: str) -> str:
    sql = (
        f"{_seats_with_event()}"
        f"WHERE s.event_id = %s AND s.id IN ({_marks(count)}) ORDER BY s.id"
    )
    # The seats' rows only: the event's row is joined, not locked.
    # (SQLite has no row locks: its IMMEDIATE transaction serialises writers.)
    return sql + " FOR UPDATE OF s" if lock and vendor == "postgresql" else sql


@shapes
def _lock_seats_and_runs_sql(count: int) -> str:
    marks = _marks(count)
    return (
        f"{_seats_with_event()}"
        f"WHERE s.event_id = %s AND (s.id IN ({marks}) OR (e.avoid_single_seats "
        f"AND s.run <> '' AND s.run IN (SELECT r.run FROM {_q(Seat._meta.db_table)} r "
        f"WHERE r.event_id = %s AND r.id IN ({marks})))) "
        "ORDER BY s.id FOR UPDATE OF s"
    )


def select_seats(
    event_id: int, seat_ids: Sequence[int], *, lock: bool, runs: bool = False
) -> list[Seat]:
    """These seats of the event in primary-key order (fewer if some are not).

    `runs` (with `lock`, on PostgreSQL): where the event avoids single seats,
    every seat of these seats' runs is locked too, in the same primary-key
    order, so two requests in one run take turns and cannot together strand
    a seat the rule reads as free. Only the asked-for seats are returned.
    """
    if lock and runs and connection.vendor == "postgresql":
        sql = _lock_seats_and_runs_sql(len(seat_ids))
        params = [event_id, *seat_ids, event_id, *seat_ids]
    else:
        sql = _select_seats_sql(len(seat_ids), lock, connection.vendor)
        params = [event_id, *seat_ids]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    wanted = set(seat_ids)
    seats = []
    for row in rows:
        if row[0] not in wanted:
            continue  # a run-mate: locked, not asked for
        seat = Seat.from_db(
            connection.alias, _SEAT_FIELDS, _times(row[:-4], _SEAT_TIMES)
        )
        seat.avoids_single_seats = bool(row[-4])  # type: ignore[attr-defined]
        seat.buyer_details = row[-3]  # type: ignore[attr-defined]
        seat.room_on = bool(row[-2])  # type: ignore[attr-defined]
        seat.channel_releases_at = aware(row[-1])  # type: ignore[attr-defined]
        seats.append(seat)
    return seats


@cache
def _count_held_sql() -> str:
    return (
        f"SELECT COUNT(*) FROM {_q(Seat._meta.db_table)} s "
        f"WHERE s.event_id = %s AND s.holder = %s AND {_HELD}"
    )


def count_held_by(event_id: int, holder: str, now: datetime) -> int:
    """How many seats `holder` holds on the event at `now` (a running hold)."""
    with prepared_cursor() as cursor:
        cursor.execute(_count_held_sql(), [event_id, holder, _param(now)])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@shapes
def _take_sql(count: int) -> str:
    return (
        f"UPDATE {_q(Seat._meta.db_table)} AS s "
        "SET hold_id = %s, holder = %s, held_until = %s "
        f"WHERE s.id IN ({_marks(count)}) AND {_FREE}"
    )


def take_free_seats(seat_ids: Sequence[int], hold: Hold, now: datetime) -> int:
    """Put those of these seats that are free at `now` into `hold`; how many."""
    params: list[Any] = [hold.pk, hold.holder, _param(hold.expires_at)]
    return _update(_take_sql(len(seat_ids)), [*params, *seat_ids, _param(now)])


@shapes
def _clear_sql(count: int) -> str:
    return (
        f"UPDATE {_q(Seat._meta.db_table)} "
        "SET hold_id = NULL, holder = '', held_until = NULL "
        f"WHERE id IN ({_marks(count)})"
    )


def clear_holds(seat_ids: Sequence[int]) -> int:
    """Take these seats out of whatever hold they are in; how many rows."""
    return _update(_clear_sql(len(seat_ids)), list(seat_ids))


@shapes
def _clear_and_drop_sql(seats: int, holds: int) -> str:
    seat, hold = _q(Seat._meta.db_table), _q(Hold._meta.db_table)
    return (
        f"WITH cleared AS ({_clear_sql(seats)} RETURNING id) "
        f"DELETE FROM {hold} h WHERE h.id IN ({_marks(holds)}) AND NOT EXISTS "
        f"(SELECT 1 FROM {seat} s WHERE s.hold_id = h.id "
        # The statement sees the seats as they were before it: the ones it
        # clears still point at their hold, and do not count.
        "AND s.id NOT IN (SELECT id FROM cleared))"
    )


def clear_and_drop(seat_ids: Sequence[int], hold_ids: Sequence[int]) -> None:
    """PostgreSQL: `clear_holds`, then delete those of these locked holds no
    seat points at any more, in one statement (a data-modifying CTE)."""
    sql = _clear_and_drop_sql(len(seat_ids), len(hold_ids))
    _update(sql, [*seat_ids, *hold_ids])


@cache
def _claim_hold_sql() -> str:
    columns = _columns(Hold, _HOLD_FIELDS)
    return (
        f"INSERT INTO {_q(Hold._meta.db_table)} "
        "(token, event_id, holder, created_at, expires_at, max_expires_at) "
        "VALUES (%s, %s, %s, %s, %s, %s) "
        # A no-op update of the row that is there: it locks that row (after
        # waiting for whoever holds it) and returns it, so claiming the row
        # is one statement whether it is made now or was there before.
        "ON CONFLICT (event_id, holder) DO UPDATE SET holder = excluded.holder "
        f"RETURNING {columns}"
    )


def claim_hold_row(fresh: Hold) -> Hold:
    """The holder's hold row on the event, locked: `fresh` inserted, or the
    row that was there (its token tells which)."""
    params: list[Any] = [fresh.token, fresh.event_id, fresh.holder]
    params += [_param(fresh.created_at), _param(fresh.expires_at)]
    params += [_param(fresh.max_expires_at)]
    with prepared_cursor() as cursor:
        cursor.execute(_claim_hold_sql(), params)
        row = cursor.fetchone()
    assert row is not None, "INSERT ... ON CONFLICT DO UPDATE returns its row"
    return Hold.from_db(connection.alias, _HOLD_FIELDS, _times(row, _HOLD_TIMES))


@shapes
def _lock_holds_sql(count: int, vendor: str) -> str:
    sql = (
        f"SELECT id, token FROM {_q(Hold._meta.db_table)} "
        f"WHERE id IN ({_marks(count)}) ORDER BY id"
    )
    return sql + " FOR UPDATE" if vendor == "postgresql" else sql


def lock_hold_tokens(hold_ids: Sequence[int]) -> dict[int, str]:
    """Lock these holds in id order; each one's token by id."""
    with prepared_cursor() as cursor:
        sql = _lock_holds_sql(len(hold_ids), connection.vendor)
        cursor.execute(sql, list(hold_ids))
        return {int(pk): token for pk, token in cursor.fetchall()}


@shapes
def _in_use_sql(count: int) -> str:
    return (
        f"SELECT DISTINCT hold_id FROM {_q(Seat._meta.db_table)} "
        f"WHERE hold_id IN ({_marks(count)})"
    )


def holds_in_use(hold_ids: Sequence[int]) -> set[int]:
    """Those of these holds some seat still points at."""
    with prepared_cursor() as cursor:
        cursor.execute(_in_use_sql(len(hold_ids)), list(hold_ids))
        return {int(pk) for (pk,) in cursor.fetchall()}


def _update(sql: str, params: list[Any]) -> int:
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _param(moment: datetime) -> Any:
    """A datetime as this database stores it (SQLite: naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _times(row: Sequence[Any], positions: list[int]) -> list[Any]:
    values = list(row)
    for i in positions:
        values[i] = aware(values[i])
    return values


# A booking's record of its seats, copied from the seats and their categories
# in the statement that writes it (seats.services.booked_seats).
_BOOKED_COPIED = ("seat_id", "label", "section", "row", "number")
_BOOKED_PRICED = ("category_code", "category_name", "price", "currency")
_NOT_YET = ("cancelled_at", "refunded")


@shapes
def _insert_booked_seats_sql(count: int) -> str:
    table = _q(BookedSeat._meta.db_table)
    into = _columns(BookedSeat, ("booking_id", *_BOOKED_COPIED, *_BOOKED_PRICED))
    returned = _columns(BookedSeat, ("id", *_BOOKED_COPIED, *_BOOKED_PRICED))
    seat, category = _q(Seat._meta.db_table), _q(PriceCategory._meta.db_table)
    picked = _columns(Seat, ("id", "label", "section", "row", "number"), "s.")
    priced = _columns(PriceCategory, ("code", "name", "price", "currency"), "c.")
    return (
        f"INSERT INTO {table} ({into}) "
        f"SELECT %s, {picked}, {priced} FROM {seat} s "
        f"JOIN {category} c ON c.id = s.category_id "
        f"WHERE s.id IN ({_marks(count)}) ORDER BY s.id "
        f"RETURNING {returned}"
    )


def insert_booked_seats(booking_id: int, seat_ids: Sequence[int]) -> list[BookedSeat]:
    """One BookedSeat per seat, copied from the seat and its price category
    as they are now, in one statement; returned in seat order."""
    with prepared_cursor() as cursor:
        cursor.execute(_insert_booked_seats_sql(len(seat_ids)), [booking_id, *seat_ids])
        rows = cursor.fetchall()
    # Every field, so none is deferred (a read of its own when touched).
    names = ("id", "booking_id", *_BOOKED_COPIED, *_BOOKED_PRICED, *_NOT_YET)
    price = names.index("price")
    booked = []
    for row in rows:
        values = [row[0], booking_id, *row[1:], None, None]
        # SQLite hands a decimal column back as a plain number.
        values[price] = Decimal(str(values[price])).quantize(CENTS)
        booked.append(BookedSeat.from_db(connection.alias, names, values))
    return sorted(booked, key=lambda b: b.seat_id)
