"""The common click on PostgreSQL: free seats held in one database call.

`seats_take_free` (installed by migration 0011) locks the seats, claims the
holder's hold row, counts the holder's seats, takes the seats, bumps the
version and logs the activity, all in one round trip. It only does the
plain case: every seat in no hold at all, no webhook endpoint enabled (the
outbox is written here in Python), the holder's hold running or new, the
limit kept. Otherwise it changes nothing and returns no row, and the caller
goes the long way (`holds._hold`), which also names the exact error. The
seat rules are checked before the call on the seats just read, as the long
way checks them on its locked read: both read the neighbours unlocked.

tests/seats/test_state_machine.py runs against PostgreSQL too, so this path
and the long way are held to the same model.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import OperationalError, connection

from seats.errors import Busy, SeatError
from seats.models import Activity, Hold, Seat, SeatStatus
from seats.services.hold_rows import fresh_hold
from seats.services.locking import is_lock_timeout
from seats.services.seat_rules import enforce_seat_rules
from seats.signals import SeatChange, SeatState, announce_on_commit, group
from seats.sql import prepared_cursor

_CALL = "SELECT * FROM seats_take_free(%s, %s, %s, %s, %s, %s, %s, %s, %s)"


def take_free(
    event_id: int, holder: str, seats: list[Seat], now: datetime
) -> Hold | None:
    """Hold `seats` (just read, all free) for `holder` in one call; the hold,
    committed (or in the caller's transaction), with the change announced
    after commit. None: nothing changed, go the long way."""
    if connection.vendor != "postgresql" or not all(_untouched(s) for s in seats):
        return None
    ids = [s.id for s in seats]
    try:
        enforce_seat_rules(
            event_id=event_id, holder=holder, seats=seats, taking=ids, now=now
        )
    except SeatError:
        return None  # the long way checks again under lock and says why
    fresh = fresh_hold(event_id, holder, now)
    milliseconds = int(settings.SEAT_LOCK_TIMEOUT_SECONDS * 1000)
    params = [event_id, holder, ids, now, fresh.token, fresh.expires_at]
    params += [fresh.max_expires_at, settings.SEAT_MAX_PER_HOLDER, f"{milliseconds}ms"]
    try:
        with prepared_cursor() as cursor:
            cursor.execute(_CALL, params)
            row = cursor.fetchone()
    except OperationalError as error:
        if is_lock_timeout(error):
            raise Busy() from error
        raise
    if row is None:
        return None
    hold_id, token, created, expires, max_expires, version = row
    hold = Hold(
        id=hold_id,
        token=token,
        event_id=event_id,
        holder=holder,
        created_at=created,
        expires_at=expires,
        max_expires_at=max_expires,
    )
    states = (SeatState(s.id, s.label, SeatStatus.HELD, holder, expires) for s in seats)
    announce_on_commit(
        SeatChange(
            event_id=event_id,
            version=int(version),
            reason=str(Activity.Kind.HELD),
            at=now,
            groups=(group(holder, states, token),),
        )
    )
    return hold


def _untouched(seat: Seat) -> bool:
    """In no hold at all, not booked, not blocked (what the function takes)."""
    return (
        seat.hold_id is None
        and seat.held_until is None
        and seat.booking_id is None
        and not seat.blocked
    )
