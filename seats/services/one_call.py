"""The common clicks on PostgreSQL: a hold or a release in one database call.

`seats_take_free` (installed by migration 0011) locks the seats, claims the
holder's hold row, counts the holder's seats, takes the seats, bumps the
version and logs the activity, all in one round trip. It only does the
plain case: every seat in no hold at all and kept for no sales channel
(migration 0026: who unlocked a channel is known only in Python), no
webhook endpoint enabled (the outbox is written here in Python), the
holder's hold running or new, the limit kept. Otherwise it changes nothing
and returns no row, and the caller goes the long way (`holds._hold`),
which also names the exact error. The seat rules are checked before the
call on the seats just read, as the long way checks them on its locked
read: both read the neighbours unlocked.

`seats_free_held` (migration 0013) is the release's counterpart: seats all
in the holder's one running hold, no webhook endpoint enabled; it clears
them, deletes the hold if that emptied it, bumps the version and logs.

`seats_click_hold` and `seats_click_free` (migration 0020) put the read
the services make before those calls into the same round trip, and refuse a
taken seat there (`hold_click`, `free_click`); an event whose every click
goes the long way (its waiting room on, a webhook endpoint, the single-seat
rule) is remembered for `LONG_EVENT_SECONDS` so its clicks skip them.

`hold_click_on_loop` and `free_click_on_loop` send the same two functions
from the serving loop, on its own connections (seats.loop_db), and read
their answers the same way; the change is committed as the statement
answers, so it is announced at once rather than on commit. An event's
clicks that arrive while one of its calls is in flight go together in the
next (seats.batched_clicks), each still answered and announced as alone.

tests/seats/test_state_machine.py runs against PostgreSQL too, so these
paths and the long way are held to the same model (its socket model
covers the loop's).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import OperationalError

from seats import batched_clicks, loop_db
from seats.errors import Busy, SeatError, SeatsUnavailable
from seats.models import Activity, Hold, Seat, SeatStatus
from seats.services.hold_rows import default_times, new_hold_token
from seats.services.locking import is_lock_timeout
from seats.services.seat_rules import enforce_seat_rules
from seats.signals import (
    SeatChange,
    SeatGroup,
    SeatState,
    announce_now,
    announce_on_commit,
    group,
)
from seats.sql import prepared_cursor

# The ids go as one array literal (`_ids`): psycopg's list dumper, made
# afresh for each call's cursor, cost a worker more than the rest of the
# parameters together.
_CLICK_HOLD = (
    "SELECT * FROM seats_click_hold(%s, %s, %s::bigint[], %s, %s, %s, %s, %s, %s)"
)
_CLICK_FREE = "SELECT * FROM seats_click_free(%s, %s, %s::bigint[], %s, %s, %s)"
# The same on the serving loop's connections (asyncpg: `$n` marks, the ids as
# a list, encoded in binary by the driver).
_CLICK_HOLD_ON_LOOP = (
    "SELECT * FROM seats_click_hold($1, $2, $3::bigint[], $4, $5, $6, $7, $8, $9)"
)
_CLICK_FREE_ON_LOOP = "SELECT * FROM seats_click_free($1, $2, $3::bigint[], $4, $5, $6)"
_TAKE = "SELECT * FROM seats_take_free(%s, %s, %s, %s, %s, %s, %s, %s, %s)"
_FREE = "SELECT * FROM seats_free_held(%s, %s, %s, %s, %s)"
# The overloads for events that avoid single seats (migration 0017): one more
# argument, the seats found taken in the runs the rule judged.
_TAKE_IN_RUNS = _TAKE.replace("%s)", "%s, %s)")
_FREE_IN_RUNS = _FREE.replace("%s)", "%s, %s)")


# How long an event whose clicks need the long way (outcome `event`) skips
# the click functions: a shortcut only, the long way is right for any click.
LONG_EVENT_SECONDS = 10.0
# Event id -> until when (time.monotonic) its clicks skip them.
_long_events: dict[int, float] = {}


def hold_click(
    event_id: int, holder: str, wanted: list[int], now: datetime
) -> Hold | None:
    """Hold `wanted` (distinct ids) for `holder` in one round trip, read
    included: the hold, committed (or in the caller's transaction), its
    change announced after commit. Raises SeatsUnavailable if a seat is
    booked, blocked or held by someone else. None: nothing changed, go the
    long way (which reads again and judges everything)."""
    if not wanted or not _worth_trying(event_id):
        return None
    params = _take_params(event_id, holder, _ids(wanted), now)
    row = _call(_CLICK_HOLD, params)
    return _held(event_id, holder, row, now, announce_on_commit)


async def hold_click_on_loop(
    event_id: int, holder: str, wanted: list[int], now: datetime
) -> Hold | None:
    """`hold_click` from the serving loop, on its own connection
    (seats.loop_db): committed when it returns, its change announced at
    once. None also when the loop has no connection to offer."""
    if not wanted or not loop_db.enabled() or not _worth_trying(event_id):
        return None
    params = _take_params(event_id, holder, wanted, now)
    settle = partial(_held, event_id, holder, now=now, announce=announce_now)
    hold: Hold | None = await batched_clicks.send(
        event_id, batched_clicks.HOLD, _CLICK_HOLD_ON_LOOP, params, settle
    )
    return hold


def _held(
    event_id: int,
    holder: str,
    row: Sequence[Any],
    now: datetime,
    announce: Callable[[SeatChange], None],
) -> Hold | None:
    """The hold a click's answer `row` made, announced by `announce`;
    None if it made none and the long way must judge."""
    outcome, ids, labels, blocked, *held = row
    if outcome == "taken":
        raise SeatsUnavailable.naming(list(zip(ids, labels, blocked, strict=True)))
    if outcome != "held":
        _note_long(event_id, outcome)
        return None
    labelled = zip(ids, labels, strict=True)
    return _taken(event_id, holder, held, labelled, now, announce)


def free_click(
    event_id: int, holder: str, wanted: list[int], now: datetime, *, rules: bool
) -> bool | None:
    """Free `wanted` (distinct ids, all in `holder`'s running hold) in one
    round trip, read included, as `free_held`. True: freed. False: this
    release goes the long way. None: the event needs the reading path
    (`free_held`, or the long way)."""
    if not wanted or not _worth_trying(event_id):
        return None
    params = [event_id, holder, _ids(wanted), now, _lock_timeout(), rules]
    row = _call(_CLICK_FREE, params)
    return _freed_by(event_id, holder, row, now, announce_on_commit)


async def free_click_on_loop(
    event_id: int, holder: str, wanted: list[int], now: datetime
) -> bool | None:
    """`free_click` of a request (the seat rules apply) from the serving
    loop, as `hold_click_on_loop`. True: freed; False or None: not here,
    go the usual way (`release`)."""
    if not wanted or not loop_db.enabled() or not _worth_trying(event_id):
        return None
    params = [event_id, holder, wanted, now, _lock_timeout(), True]
    settle = partial(_freed_by, event_id, holder, now=now, announce=announce_now)
    freed: bool | None = await batched_clicks.send(
        event_id, batched_clicks.FREE, _CLICK_FREE_ON_LOOP, params, settle
    )
    return freed


def _freed_by(
    event_id: int,
    holder: str,
    row: Sequence[Any],
    now: datetime,
    announce: Callable[[SeatChange], None],
) -> bool | None:
    """Whether a free's answer `row` freed the seats (announced by
    `announce`), as `free_click` says."""
    outcome, ids, labels, token, version = row
    if outcome != "freed":
        _note_long(event_id, outcome)
        return None if outcome == "event" else False
    labelled = zip(ids, labels, strict=True)
    _freed(event_id, holder, token, version, labelled, now, announce)
    return True


def _ids(ids: list[int]) -> str:
    """PostgreSQL's literal of a bigint array: `{1,2,3}`."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


def _worth_trying(event_id: int) -> bool:
    """PostgreSQL, and the event not among those lately found to need the
    long way for every click."""
    if not available():
        return False
    until = _long_events.get(event_id)
    if until is None:
        return True
    if time.monotonic() < until:
        return False
    _long_events.pop(event_id, None)
    return True


def _note_long(event_id: int, outcome: str) -> None:
    if outcome == "event":
        _long_events[event_id] = time.monotonic() + LONG_EVENT_SECONDS


def take_free(
    event_id: int, holder: str, seats: list[Seat], now: datetime
) -> Hold | None:
    """Hold `seats` (just read, all free) for `holder` in one call; the hold,
    committed (or in the caller's transaction), with the change announced
    after commit. None: nothing changed, go the long way."""
    if not available() or not all(_untouched(s) for s in seats):
        return None
    ids = [s.id for s in seats]
    allowed, run_taken = _rules_allow(event_id, holder, seats, now, taking=ids)
    if not allowed:
        return None
    params = _take_params(event_id, holder, ids, now)
    row = _call_judged(_TAKE, _TAKE_IN_RUNS, params, run_taken)
    if row is None:
        return None
    labelled = ((s.id, s.label) for s in seats)
    return _taken(event_id, holder, row, labelled, now, announce_on_commit)


def available() -> bool:
    """Whether this database has the functions (PostgreSQL). From the
    settings, as `loop_db.enabled`: `connection` is a thread-local lookup."""
    engine: str = settings.DATABASES["default"]["ENGINE"]
    return engine.endswith("postgresql")


def free_held(
    event_id: int, holder: str, seats: list[Seat], now: datetime, *, rules: bool
) -> bool:
    """Free `seats` (just read, all in `holder`'s running hold) in one call,
    committed (or in the caller's transaction), the change announced after
    commit; `rules`: the seat rules apply (a request). False: nothing
    changed, go the long way."""
    if not available() or not all(
        s.status_at(now) is SeatStatus.HELD and s.holder == holder for s in seats
    ):
        return False
    ids = [s.id for s in seats]
    allowed, run_taken = (
        _rules_allow(event_id, holder, seats, now, freeing=ids)
        if rules
        else (True, None)
    )
    if not allowed:
        return False
    params = [event_id, holder, ids, now, _lock_timeout()]
    row = _call_judged(_FREE, _FREE_IN_RUNS, params, run_taken)
    if row is None:
        return False
    token, version = row
    labelled = ((s.id, s.label) for s in seats)
    _freed(event_id, holder, token, version, labelled, now, announce_on_commit)
    return True


def _take_params(event_id: int, holder: str, ids: Any, now: datetime) -> list[Any]:
    """The arguments of a take (`seats_take_free`, `seats_click_hold`),
    with a fresh hold's token and times should the holder have none (as
    `fresh_hold` makes them, without a model instance: about 1 % of a
    worker's CPU under contention)."""
    times = default_times(now)
    return [
        event_id,
        holder,
        ids,
        now,
        new_hold_token(),
        times.expires_at,
        times.max_expires_at,
        settings.SEAT_MAX_PER_HOLDER,
        _lock_timeout(),
    ]


def _taken(
    event_id: int,
    holder: str,
    row: Sequence[Any],
    labelled: Iterable[tuple[int, str]],
    now: datetime,
    announce: Callable[[SeatChange], None],
) -> Hold:
    """The hold a take's answer `row` describes, its seats (id, label)
    announced as held by `announce` (after commit, or at once)."""
    hold_id, token, created, expires, max_expires, version = row
    states = (
        SeatState(sid, label, SeatStatus.HELD, holder, expires)
        for sid, label in labelled
    )
    seats = group(holder, states, token)
    announce(_change(event_id, version, Activity.Kind.HELD, now, seats))
    return Hold(
        id=hold_id,
        token=token,
        event_id=event_id,
        holder=holder,
        created_at=created,
        expires_at=expires,
        max_expires_at=max_expires,
    )


def _freed(
    event_id: int,
    holder: str,
    token: str,
    version: int,
    labelled: Iterable[tuple[int, str]],
    now: datetime,
    announce: Callable[[SeatChange], None],
) -> None:
    """A free's seats (id, label) announced as available by `announce`."""
    states = (SeatState(sid, label, SeatStatus.AVAILABLE) for sid, label in labelled)
    seats = group(holder, states, token)
    announce(_change(event_id, version, Activity.Kind.RELEASED, now, seats))


def _change(
    event_id: int, version: int, kind: str, now: datetime, seats: SeatGroup
) -> SeatChange:
    """The committed call's change, as record_change would announce it."""
    return SeatChange(
        event_id=event_id,
        version=int(version),
        reason=str(kind),
        at=now,
        groups=(seats,),
    )


def _rules_allow(
    event_id: int, holder: str, seats: list[Seat], now: datetime, **change: Any
) -> tuple[bool, frozenset[int] | None]:
    """The seat rules on the seats just read, and the seats found taken in
    the runs the single-seat rule judged (None if none). A refusal is left
    to the long way, which checks again under lock and says why."""
    try:
        run_taken = enforce_seat_rules(
            event_id=event_id, holder=holder, seats=seats, now=now, **change
        )
    except SeatError:
        return False, None
    return True, run_taken


def _call_judged(
    plain: str, in_runs: str, params: list[Any], run_taken: frozenset[int] | None
) -> Any:
    """The function's call; where the single-seat rule judged a read of the
    runs, its overload that locks the runs and checks the read still holds."""
    if run_taken is None:
        return _call(plain, params)
    return _call(in_runs, [*params, sorted(run_taken)])


def _call(sql: str, params: list[Any]) -> Any:
    """One row of the function's answer (None: it changed nothing)."""
    try:
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    except OperationalError as error:
        if is_lock_timeout(error):
            raise Busy() from error
        raise


def _lock_timeout() -> str:
    return f"{int(settings.SEAT_LOCK_TIMEOUT_SECONDS * 1000)}ms"


def _untouched(seat: Seat) -> bool:
    """In no hold at all, not booked, not blocked, kept for no sales channel
    (what the function takes)."""
    return (
        seat.hold_id is None
        and seat.held_until is None
        and seat.booking_id is None
        and not seat.blocked
        and seat.channel_id is None
    )
