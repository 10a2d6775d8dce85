"""The floor's clicks with our database: one call to our click functions.

With `--database URL --event ID`, the floor (bench/baselines/floor_server.py)
holds and releases as our workers do on PostgreSQL: one statement per
click, `seats_click_hold` or `seats_click_free` (migrations 0020 and 0028,
every rule of the plain click judged in the database), sent from the
serving loop on asyncpg connections (as seats.loop_db does, eight per
process). What it leaves out is all the rest of ours: Django, Channels,
daphne, the services' Python, the hub. So the contention scenario can say
what a Python server making the same database calls reaches on this
machine, beside the same load generator.

As our workers do (seats.batched_clicks), a process keeps at most one call
of the event in flight: a click that finds none goes alone; the clicks
that arrive meanwhile go together in one `seats_click_batch` call (at most
`PER_CALL`), and a call refused for a lock not had in time goes again
click by click.

A call that our workers would send the long way (`event`, `long`) has no
long way here: it is answered with the error code `floor_long_way`, and a
run that sees one reports it as an error.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

# As seats.services.one_call sends them from the loop.
CLICK_HOLD = (
    "SELECT * FROM seats_click_hold($1, $2, $3::bigint[], $4, $5, $6, $7, $8, $9)"
)
CLICK_FREE = "SELECT * FROM seats_click_free($1, $2, $3::bigint[], $4, $5, $6)"
CLICK_BATCH = (
    "SELECT * FROM seats_click_batch($1, $2, $3, $4::bigint[], $5, $6, $7, $8,"
    " $9, $10, $11)"
)
# The project's defaults (config/settings.py): SEAT_HOLD_SECONDS,
# SEAT_HOLD_MAX_SECONDS, SEAT_MAX_PER_HOLDER, SEAT_LOCK_TIMEOUT_SECONDS.
HOLD = timedelta(seconds=300)
HOLD_MAX = timedelta(seconds=900)
PER_HOLDER = 10
LOCK_TIMEOUT = "3000ms"
CONNECTIONS = 8
PER_CALL = 32  # SEAT_LOOP_CLICKS_PER_CALL
# A lock wait that ended without the lock (seats.loop_db.LOCK_NOT_TAKEN):
# nothing was written; our workers answer `busy`.
LOCK_NOT_TAKEN = {"55P03", "40P01"}


class Refused(Exception):
    """The click changed nothing; `code` is the error code to answer."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class DatabaseClicks:
    """Holds and releases on one event, each committed as its call answers."""

    def __init__(self, url: str, event_id: int):
        self.url = url
        self.event_id = event_id
        self.pool: asyncpg.Pool | None = None
        self.busy = False
        # (kind, arguments, future of the answer row), oldest first.
        self.queued: list[tuple[str, list[Any], asyncio.Future[Any]]] = []
        self.calls: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self.pool = await asyncpg.create_pool(
            self.url, min_size=CONNECTIONS, max_size=CONNECTIONS, reset=_kept
        )

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def version(self) -> int:
        """The event's version now, for a snapshot."""
        return await self.pool.fetchval(
            "SELECT version FROM seats_event WHERE id = $1", self.event_id
        )

    async def click(self, kind: str, holder: str, seat_ids: list[int]) -> int:
        """Hold or release `seat_ids` for `holder`: the version the change
        made. Raises Refused if nothing changed."""
        if not seat_ids:
            raise Refused("no_seats")
        if kind not in ("hold", "release"):
            raise Refused("floor_no_booking")
        args = self._args(kind, holder, seat_ids)
        if self.busy:
            answer = asyncio.get_running_loop().create_future()
            self.queued.append((kind, args, answer))
            row = await answer
        else:
            self.busy = True
            try:
                row = await self._alone(kind, args)
            finally:
                self._next()
        outcome = row["o_outcome"]
        if outcome == "taken":
            raise Refused("seats_unavailable")
        if outcome != ("held" if kind == "hold" else "freed"):
            raise Refused("floor_long_way")
        return int(row["o_version"])

    def _args(self, kind: str, holder: str, seat_ids: list[int]) -> list[Any]:
        now = datetime.now(UTC)
        if kind == "hold":
            token = secrets.token_urlsafe(24)
            return [self.event_id, holder, seat_ids, now, token, now + HOLD]
        return [self.event_id, holder, seat_ids, now, None, None]

    async def _alone(self, kind: str, args: list[Any]) -> Any:
        event_id, holder, seat_ids, now, token, expires = args
        try:
            if kind == "hold":
                return await self.pool.fetchrow(
                    CLICK_HOLD, event_id, holder, seat_ids, now, token, expires,
                    now + HOLD_MAX, PER_HOLDER, LOCK_TIMEOUT,
                )  # fmt: skip
            return await self.pool.fetchrow(
                CLICK_FREE, event_id, holder, seat_ids, now, LOCK_TIMEOUT, True
            )
        except asyncpg.PostgresError as error:
            if error.sqlstate in LOCK_NOT_TAKEN:
                raise Refused("busy") from error
            raise

    def _next(self) -> None:
        if not self.queued:
            self.busy = False
            return
        batch, self.queued = self.queued[:PER_CALL], self.queued[PER_CALL:]
        call = asyncio.get_running_loop().create_task(self._together(batch))
        self.calls.add(call)
        call.add_done_callback(self.calls.discard)

    async def _together(
        self, batch: list[tuple[str, list[Any], asyncio.Future[Any]]]
    ) -> None:
        try:
            try:
                rows = await self.pool.fetch(CLICK_BATCH, *_batch_args(batch))
            except asyncpg.PostgresError as error:
                if error.sqlstate not in LOCK_NOT_TAKEN:
                    raise
                rows = await asyncio.gather(
                    *(self._alone(kind, args) for kind, args, _ in batch),
                    return_exceptions=True,
                )
            for (_, _, answer), row in zip(batch, rows, strict=True):
                if isinstance(row, BaseException):
                    answer.set_exception(row)
                else:
                    answer.set_result(row)
        except Exception as error:
            for _, _, answer in batch:
                if not answer.done():
                    answer.set_exception(error)
        finally:
            self._next()


def _batch_args(batch: list[tuple[str, list[Any], asyncio.Future[Any]]]) -> list[Any]:
    """`seats_click_batch`'s arguments for these clicks (migration 0029)."""
    columns: list[list[Any]] = [[], [], [], [], [], [], [], []]
    kinds, holders, seats, counts, nows, tokens, expires, maxes = columns
    event_id = batch[0][1][0]
    for kind, (_, holder, seat_ids, now, token, until), _ in batch:
        kinds.append("hold" if kind == "hold" else "free")
        holders.append(holder)
        seats.extend(seat_ids)
        counts.append(len(seat_ids))
        nows.append(now)
        tokens.append(token)
        expires.append(until)
        maxes.append(now + HOLD_MAX if kind == "hold" else None)
    return [event_id, *columns, PER_HOLDER, LOCK_TIMEOUT]


async def _kept(connection: asyncpg.Connection) -> None:
    """A connection goes back to the pool as it is: each click is one
    autocommitted statement and leaves no session state (the pool's default
    reset is one more statement per click, which ours do not send)."""
