"""Parts of holding and releasing the services share: the answer a hold
gives (`HoldResult`), the ids asked for, the checks and the clean-up of
emptied holds. None commits or announces.

Each runs inside its caller's transaction, on rows the caller locked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from seats.details import HoldDetails, hold_details
from seats.errors import BadRequest, HoldExpired, NotHolder
from seats.models import Hold, Seat, SeatStatus
from seats.services import statements
from seats.services.changes import CHUNK, chunks
from seats.sql import prepared_cursor


@dataclass(frozen=True, slots=True)
class HoldResult:
    seat_ids: list[int]
    held_until: datetime
    # The latest the hold can be extended to.
    max_until: datetime
    # The hold's capability for the REST API (seats.tokens); never broadcast.
    token: str = ""
    # The whole hold with its prices, read in the same transaction, when the
    # caller asked for it (`details=True`: the REST API shows it).
    details: HoldDetails | None = None


def result_of(
    seat_ids: list[int], hold: Hold, now: datetime, details: bool
) -> HoldResult:
    """The answer; with `details`, the whole hold read inside the transaction."""
    return HoldResult(
        seat_ids=seat_ids,
        held_until=hold.expires_at,
        max_until=hold.max_expires_at,
        token=hold.token,
        details=hold_details(hold, now) if details else None,
    )


def distinct(seat_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(seat_ids))
    if not ids:
        raise BadRequest("Name at least one seat.")
    return ids


def check_own_running(seats: list[Seat], holder: str, now: datetime) -> None:
    """Raise unless every seat is in `holder`'s running hold."""
    not_mine = [s.id for s in seats if s.holder != holder or s.booking_id is not None]
    if not_mine:
        raise NotHolder(seat_ids=not_mine)
    lapsed = [s.id for s in seats if s.status_at(now) is not SeatStatus.HELD]
    if lapsed:
        raise HoldExpired(seat_ids=lapsed)


def clear_and_drop(seat_ids: Sequence[int], hold_ids: list[int]) -> None:
    """Take these locked seats out of their holds; delete the locked holds
    (`hold_ids`) that no seat points at any more."""
    if connection.vendor == "postgresql" and hold_ids and len(seat_ids) <= CHUNK:
        statements.clear_and_drop(seat_ids, hold_ids)  # one round trip
        return
    for chunk in chunks(seat_ids):
        statements.clear_holds(chunk)
    drop_if_empty(hold_ids)


def drop_if_empty(hold_ids: list[int]) -> None:
    """Delete the locked holds no seat points at any more."""
    if not hold_ids:
        return
    in_use = statements.holds_in_use(hold_ids)
    empty = [h for h in hold_ids if h not in in_use]
    if empty:
        delete_holds(empty)


def delete_holds(hold_ids: Sequence[int]) -> None:
    """Delete locked holds that no seat points at, one statement per chunk.

    A raw DELETE on purpose: QuerySet.delete() would first look for seats to
    set to NULL (there are none: the callers checked under lock) and cost
    two more statements per chunk on the release and sweep paths.
    """
    table = connection.ops.quote_name(Hold._meta.db_table)
    with prepared_cursor() as cursor:
        for chunk in chunks(hold_ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", list(chunk))
