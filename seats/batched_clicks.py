"""An event's clicks on one serving loop: sent in turn, several in one call.

Every click that changes an event bumps the event's version, so PostgreSQL
runs an event's clicks one after another on that row whatever the workers
do. Sent at once on a loop's eight connections they only wait there, each
in a backend of its own, and PostgreSQL's CPU per click grows with the
sessions waiting (BENCHMARKS.md, "PostgreSQL's CPU per click grows with
the sessions that click at once"). So a loop keeps at most one call of an
event in flight. A click that finds none goes at once, alone, as before;
clicks that arrive meanwhile wait for it, then go together in one call of
`seats_click_batch` (migration 0029): one transaction, one commit. Each
click keeps its own answer, version and announcement, in version order:
nothing a client sees changes. SEAT_LOOP_CLICKS_PER_CALL bounds a call
(1 sends every click alone and at once, as before this module).

Invariants: at most one call per event per loop is in flight, and the
clicks of an event are sent in the order they came; an answer is settled
(read and announced) by whoever receives it, so a click whose socket went
away meanwhile is still announced once committed; a queued click cancelled
before its call is sent is left out of it; a call the database answered
busy (a row lock not had in time: nothing was written) is sent again click
by click, so only the clicks on the locked rows are busy. A queued click
waits SEAT_DB_CALL_TIMEOUT_SECONDS in all, the calls before its own
included: past that it is answered `busy` if its call has not gone out
(nothing was written), `timeout` if it has (the outcome is unknown; a
commit is still announced).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from seats import loop_db
from seats.errors import Busy, DatabaseTimeout

HOLD = "hold"
FREE = "free"

_BATCH = (
    "SELECT * FROM seats_click_batch($1, $2, $3, $4::bigint[], $5, $6, $7, $8,"
    " $9, $10, $11)"
)


@dataclass(slots=True, eq=False)
class Click:
    """One click as its single call would send it (`sql`, `args`: the
    arguments of `seats_click_hold` or `seats_click_free`), and how its
    answer row is read and announced (`settle`)."""

    kind: str
    sql: str
    args: Sequence[Any]
    settle: Callable[[Sequence[Any]], Any]
    answer: asyncio.Future[Any] | None = field(default=None)
    # Whether its call has gone out (a queued click's may not have yet).
    sent: bool = False


class _Line:
    """One event's clicks on one loop: whether a call is in flight, and
    the clicks waiting for the next, oldest first."""

    __slots__ = ("busy", "queued")

    def __init__(self) -> None:
        self.busy = False
        self.queued: list[Click] = []


_lines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _Line]] = (
    weakref.WeakKeyDictionary()
)
# The calls in flight for queued clicks: held so none is collected midway.
_calls: set[asyncio.Task[None]] = set()


async def send(
    event_id: int,
    kind: str,
    sql: str,
    args: Sequence[Any],
    settle: Callable[[Sequence[Any]], Any],
) -> Any:
    """`settle` of the click's answer row (`sql` with `args` is its single
    call, `kind` HOLD or FREE); None when the loop had no connection to
    offer (go the usual way). Raises what the single call raises (Busy,
    DatabaseTimeout, the database's error) and what `settle` raises."""
    click = Click(kind, sql, args, settle)
    if settings.SEAT_LOOP_CLICKS_PER_CALL <= 1:
        return await _alone(click)
    loop = asyncio.get_running_loop()
    lines = _lines.setdefault(loop, {})
    line = lines.get(event_id)
    if line is None:
        line = lines[event_id] = _Line()
    if line.busy:
        click.answer = loop.create_future()
        line.queued.append(click)
        return await _answered(click)
    line.busy = True
    try:
        return await _alone(click)
    finally:
        _next(loop, lines, event_id, line)


async def _answered(click: Click) -> Any:
    """A queued click's answer, waited for SEAT_DB_CALL_TIMEOUT_SECONDS at
    most, counted from when it queued: the call in flight before it must
    not double its bound."""
    assert click.answer is not None
    limit = settings.SEAT_DB_CALL_TIMEOUT_SECONDS
    if limit <= 0:
        return await click.answer
    bound = asyncio.timeout(limit)
    try:
        async with bound:
            # On the bound the future is cancelled: a click still queued is
            # then left out of the next call (`_next`), one sent is settled
            # without its caller.
            return await click.answer
    except TimeoutError:
        if not bound.expired():
            raise  # the click's own answer, not the bound
        if click.sent:
            raise DatabaseTimeout() from None
        raise Busy() from None


async def _alone(click: Click) -> Any:
    row = await loop_db.fetch_one(click.sql, click.args)
    return None if row is None else click.settle(row)


def _next(
    loop: asyncio.AbstractEventLoop, lines: dict[int, _Line], event_id: int, line: _Line
) -> None:
    """The call that just ended hands the line on: to a call of the clicks
    queued meanwhile, else the line is idle (and forgotten)."""
    waiting = [c for c in line.queued if c.answer is None or not c.answer.done()]
    if not waiting:
        line.busy = False
        line.queued = []
        if lines.get(event_id) is line:
            del lines[event_id]
        return
    size = settings.SEAT_LOOP_CLICKS_PER_CALL
    line.queued = waiting[size:]
    call = loop.create_task(_together(loop, lines, event_id, line, waiting[:size]))
    _calls.add(call)
    call.add_done_callback(_calls.discard)


async def _together(
    loop: asyncio.AbstractEventLoop,
    lines: dict[int, _Line],
    event_id: int,
    line: _Line,
    clicks: list[Click],
) -> None:
    """Send `clicks` in one call and settle each from its row."""
    for click in clicks:
        click.sent = True
    try:
        if len(clicks) == 1:
            await _settle_alone(clicks[0])
            return
        try:
            rows = await loop_db.fetch_all(_BATCH, _batch_args(event_id, clicks))
        except Busy:
            # Nothing was written: each alone, so only the locked are busy.
            await asyncio.gather(*(_settle_alone(c) for c in clicks))
            return
        except Exception as error:
            for click in clicks:
                _answer(click, error=error)
            return
        if rows is None:
            for click in clicks:
                _answer(click, result=None)
            return
        if len(rows) != len(clicks):  # never: one row per click
            wrong = RuntimeError(f"{len(rows)} answers to {len(clicks)} clicks")
            for click in clicks:
                _answer(click, error=wrong)
            return
        for click, row in zip(clicks, rows, strict=True):
            _settle(click, _single_row(click.kind, row))
    finally:
        _next(loop, lines, event_id, line)


async def _settle_alone(click: Click) -> None:
    try:
        row = await loop_db.fetch_one(click.sql, click.args)
    except Exception as error:
        _answer(click, error=error)
        return
    if row is None:
        _answer(click, result=None)
    else:
        _settle(click, row)


def _settle(click: Click, row: Sequence[Any]) -> None:
    """Read and announce `row` whether or not the click still waits."""
    try:
        result = click.settle(row)
    except Exception as error:
        _answer(click, error=error)
    else:
        _answer(click, result=result)


def _answer(
    click: Click, *, result: Any = None, error: BaseException | None = None
) -> None:
    future = click.answer
    if future is None or future.done():
        return  # its caller went away: nothing waits for the answer
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


def _batch_args(event_id: int, clicks: list[Click]) -> list[Any]:
    """`seats_click_batch`'s arguments: the single calls' arguments as
    arrays (see seats.services.one_call for their order)."""
    kinds, holders, seats, counts, nows = [], [], [], [], []
    tokens, expires, maxes = [], [], []
    limit = settings.SEAT_MAX_PER_HOLDER
    lock_timeout = ""
    for click in clicks:
        args = click.args
        kinds.append(click.kind)
        holders.append(args[1])
        seats.extend(args[2])
        counts.append(len(args[2]))
        nows.append(args[3])
        if click.kind == HOLD:
            tokens.append(args[4])
            expires.append(args[5])
            maxes.append(args[6])
            limit = args[7]
            lock_timeout = args[8]
        else:
            tokens.append(None)
            expires.append(None)
            maxes.append(None)
            lock_timeout = args[4]
    return [
        event_id,
        kinds,
        holders,
        seats,
        counts,
        nows,
        tokens,
        expires,
        maxes,
        limit,
        lock_timeout,
    ]


def _single_row(kind: str, row: Sequence[Any]) -> tuple[Any, ...]:
    """A batch row as the click's single function answers it."""
    (_, outcome, ids, labels, blocked, hold, token, created, expires, most, version) = (
        tuple(row)
    )
    if kind == HOLD:
        return (
            outcome,
            ids,
            labels,
            blocked,
            hold,
            token,
            created,
            expires,
            most,
            version,
        )
    return (outcome, ids, labels, token, version)
