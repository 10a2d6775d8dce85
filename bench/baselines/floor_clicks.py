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

A call that our workers would send the long way (`event`, `long`) has no
long way here: it is answered with the error code `floor_long_way`, and a
run that sees one reports it as an error.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import asyncpg

# As seats.services.one_call sends them from the loop.
CLICK_HOLD = (
    "SELECT * FROM seats_click_hold($1, $2, $3::bigint[], $4, $5, $6, $7, $8, $9)"
)
CLICK_FREE = "SELECT * FROM seats_click_free($1, $2, $3::bigint[], $4, $5, $6)"
# The project's defaults (config/settings.py): SEAT_HOLD_SECONDS,
# SEAT_HOLD_MAX_SECONDS, SEAT_MAX_PER_HOLDER, SEAT_LOCK_TIMEOUT_SECONDS.
HOLD = timedelta(seconds=300)
HOLD_MAX = timedelta(seconds=900)
PER_HOLDER = 10
LOCK_TIMEOUT = "3000ms"
CONNECTIONS = 8
# A lock wait that ended without the lock (seats.loop_db.LOCK_NOT_TAKEN):
# nothing was written; our workers answer `busy`.
LOCK_NOT_TAKEN = {"55P03", "40P01"}


class Refused(Exception):
    """The click changed nothing; `code` is the error code to answer."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class DatabaseClicks:
    """Holds and releases on one event, each one committed statement."""

    def __init__(self, url: str, event_id: int):
        self.url = url
        self.event_id = event_id
        self.pool: asyncpg.Pool | None = None

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
        try:
            row, done = await self._call(kind, holder, seat_ids)
        except asyncpg.PostgresError as error:
            if error.sqlstate in LOCK_NOT_TAKEN:
                raise Refused("busy") from error
            raise
        outcome = row["o_outcome"]
        if outcome == "taken":
            raise Refused("seats_unavailable")
        if outcome != done:
            raise Refused("floor_long_way")
        return int(row["o_version"])

    async def _call(
        self, kind: str, holder: str, seat_ids: list[int]
    ) -> tuple[asyncpg.Record, str]:
        """The function's answer, and the outcome that means done."""
        now = datetime.now(UTC)
        if kind == "hold":
            row = await self.pool.fetchrow(
                CLICK_HOLD,
                self.event_id,
                holder,
                seat_ids,
                now,
                secrets.token_urlsafe(24),
                now + HOLD,
                now + HOLD_MAX,
                PER_HOLDER,
                LOCK_TIMEOUT,
            )
            return row, "held"
        if kind == "release":
            row = await self.pool.fetchrow(
                CLICK_FREE, self.event_id, holder, seat_ids, now, LOCK_TIMEOUT, True
            )
            return row, "freed"
        raise Refused("floor_no_booking")


async def _kept(connection: asyncpg.Connection) -> None:
    """A connection goes back to the pool as it is: each click is one
    autocommitted statement and leaves no session state (the pool's default
    reset is one more statement per click, which ours do not send)."""
