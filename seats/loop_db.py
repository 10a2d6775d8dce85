"""The serving loop's own PostgreSQL connections, for one-statement clicks.

A plain hold or release is one statement (services.one_call). Sent from a
database thread (realtime.db), its answer comes back through two turns of
the serving loop and the threads' contest for the interpreter, while that
loop may spend 50-160 ms a turn writing a frame to thousands of sockets.
Here the statement goes out from the loop itself, on asyncpg: its protocol
parses the answer as the bytes arrive, and the click that waits for it
resumes in the loop's next turn, as a plain broadcast server answers.

Only a shortcut: `fetch_one` answers None when it has no connection to
offer (every one busy for longer than SEAT_LOOP_DB_WAIT_SECONDS, none can
be opened just now, SQLite, or turned off with SEAT_LOOP_DB_CONNECTIONS=0),
and the caller goes the usual way through the database threads. A click
that finds every connection busy waits that long (and never past half its
SEAT_DB_CALL_TIMEOUT_SECONDS) for the next one given back, in turn: a
statement takes a few milliseconds, and the threads' way cost a worker
about a quarter more CPU per answer under contention (BENCHMARKS.md,
"Clicks that wait for the loop's connection"). When the connections are
stuck (behind row locks held long, on a slow database) a click waits that
second before it goes the usual way; a database that refuses connections
sends clicks the usual way at once, as before.

Invariants: a connection runs one statement at a time and belongs to the
loop that opened it; it runs in autocommit, so an answer is committed; one
that failed, timed out or was cut off is closed and never used again; an
idle connection the server has closed (a restart, a terminated backend) is
noticed by the protocol at once and skipped, so such a blip fails no click.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
import weakref
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connections

from seats.errors import Busy, DatabaseTimeout

logger = logging.getLogger(__name__)

# SQLSTATEs of a lock wait that ended without the lock (see
# services.locking.is_lock_timeout): nothing was written, the answer is `busy`.
LOCK_NOT_TAKEN = {"55P03", "40P01"}
# The backend was terminated (pg_terminate_backend, a fast shutdown): a
# statement it answers so was never committed, and is sent once more on
# another connection (the one idle connection the protocol had not yet
# seen closed).
TERMINATED = "57P01"
# After a connection could not be opened, clicks go the usual way this long
# before the loop tries again (each try could wait for the connect timeout).
RETRY_AFTER_SECONDS = 1.0
# libpq's connect_timeout when the database settings name none (config.env).
CONNECT_TIMEOUT_SECONDS = 5.0
# Run on each new connection before it serves a click: asyncpg looks a
# bigint[]'s type up on a connection's first use of one (about 10 ms, a
# round trip of its own), which would otherwise fall on a click.
_FIRST_STATEMENT = "SELECT $1::bigint[]"

_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopConnections] = (
    weakref.WeakKeyDictionary()
)


def enabled() -> bool:
    """PostgreSQL, with loop connections allowed. Read from the settings,
    not `connections` (a thread-local lookup, twice per click: about 1 %
    of a worker's CPU under contention)."""
    return settings.SEAT_LOOP_DB_CONNECTIONS > 0 and settings.DATABASES["default"][
        "ENGINE"
    ].endswith("postgresql")


async def fetch_one(sql: str, args: Sequence[Any]) -> Any:
    """The first row of `sql` (asyncpg's `$n` marks) run on a connection of
    the running loop; None if the loop has none to offer (go the usual
    way). Raises Busy when a row lock was not had in time, DatabaseTimeout
    after SEAT_DB_CALL_TIMEOUT_SECONDS (the outcome is then unknown, as on
    the usual way), the database's own error otherwise."""
    return await _pool().fetch(sql, args, many=False)


async def fetch_all(sql: str, args: Sequence[Any]) -> list[Any] | None:
    """Every row of `sql`, as `fetch_one` sends it (None: go the usual
    way)."""
    rows: list[Any] | None = await _pool().fetch(sql, args, many=True)
    return rows


def preload() -> None:
    """Import the driver now (a serving process's start) rather than in the
    first click of a sale: about 0.1 s of the loop's CPU, in the second
    when the most clicks come at once."""
    if enabled():
        import asyncpg  # noqa: F401


async def warm() -> int:
    """Open the running loop's connections ahead of the first clicks;
    returns how many it opened. One that cannot be opened is left to the
    clicks, which open connections as they need them, as before."""
    if not enabled():
        return 0
    return await _pool().warm()


def _pool() -> LoopConnections:
    loop = asyncio.get_running_loop()
    pool = _by_loop.get(loop)
    if pool is None:
        pool = _by_loop[loop] = LoopConnections(
            _connect_kwargs(), settings.SEAT_LOOP_DB_CONNECTIONS, loop
        )
    return pool


def close_all() -> None:
    """Close every loop's connections at once (tests, before their database
    goes; a serving process simply exits)."""
    for pool in list(_by_loop.values()):
        pool.close()
    _by_loop.clear()


class LoopConnections:
    """At most `size` connections of one loop, opened as clicks need them."""

    def __init__(
        self,
        connect_kwargs: dict[str, Any],
        size: int,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        # Weakly: the pool is the value of its own loop's weak key.
        self.loop = weakref.ref(loop)
        self.connect_kwargs = connect_kwargs
        self.size = size
        self.idle: list[Any] = []
        # Clicks waiting for a connection, oldest first: each future gets
        # one given back, or None (look again: one was closed, so another
        # may be opened).
        self.waiters: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.wait = settings.SEAT_LOOP_DB_WAIT_SECONDS
        self.opened = 0
        self.retry_at = 0.0
        self.closed = False
        limit = settings.SEAT_DB_CALL_TIMEOUT_SECONDS
        self.limit = limit if limit > 0 else None

    async def fetch(self, sql: str, args: Sequence[Any], *, many: bool) -> Any:
        """The first row of `sql`'s answer, or (`many`) all of them."""
        started = time.perf_counter()
        retried = False
        conn = await self._take(started)
        while conn is not None:
            # Given back exactly once, whatever happens (a cancelled click
            # included: its connection is closed, never left counted).
            healthy = False
            try:
                send = conn.fetch if many else conn.fetchrow
                answer = await send(sql, *args, timeout=self._left(started))
                healthy = True
                return answer
            except TimeoutError:
                raise DatabaseTimeout() from None
            except Exception as error:
                sqlstate = getattr(error, "sqlstate", None)
                # An error the server raised leaves the connection usable.
                healthy = sqlstate is not None and not conn.is_closed()
                if retried or not _terminated(error):
                    if sqlstate in LOCK_NOT_TAKEN:
                        raise Busy() from error
                    raise
            finally:
                self._give_back(conn, healthy)
            # Gone before it read the statement: once more, on another.
            retried = True
            conn = await self._take(started)
        return None

    async def warm(self) -> int:
        """Open connections up to `size`, idle; stops at the first failure."""
        opened = 0
        while self.opened < self.size:
            self.opened += 1
            try:
                conn = await _connect(self.connect_kwargs, self.limit)
            except BaseException as error:
                self.opened -= 1
                if not isinstance(error, Exception):
                    raise
                logger.warning("opening the loop's connections: %r", error)
                break
            self._hand_on(conn)
            opened += 1
        return opened

    def close(self) -> None:
        """Close the idle connections now, the busy ones as they are given
        back; clicks waiting for one go the usual way."""
        self.closed = True
        while self.waiters:
            self._hand_on(None)
        idle, self.idle = self.idle, []
        self.opened -= len(idle)
        loop = self.loop()
        if loop is None or loop.is_closed():
            # Nothing can run on a closed loop, terminate() included: the
            # sockets close as their transports are collected.
            return
        for conn in idle:
            conn.terminate()

    def _left(self, started: float) -> float | None:
        if self.limit is None:
            return None
        return max(0.001, self.limit - (time.perf_counter() - started))

    async def _take(self, started: float) -> Any:
        """An idle or new connection, else the next one given back within
        `wait` seconds (half the call's limit at most, counted from
        `started`, so the statement keeps the other half); None: go the
        usual way."""
        conn = await self._take_now()
        if conn is not None or not self._worth_waiting():
            return conn
        wait = self.wait
        if self.limit is not None:
            wait = min(wait, started + self.limit / 2 - time.perf_counter())
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            conn = await self._given_back(left)
            if conn is not None and not conn.is_closed():
                return conn
            if conn is not None:  # closed by the server meanwhile
                self.opened -= 1
            conn = await self._take_now()  # one was closed: open another?
            if conn is not None or not self._worth_waiting():
                return conn
        return None

    def _worth_waiting(self) -> bool:
        """Every connection open and busy (not a database refusing them)."""
        return self.wait > 0 and not self.closed and self.opened >= self.size

    async def _given_back(self, timeout: float) -> Any:
        """The connection given back to this click within `timeout`, else
        None (also when told to look again)."""
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            pass
        except BaseException:  # the click was cancelled
            if waiter.done() and not waiter.cancelled():
                # Handed a connection, or told to look again: passed on.
                self._hand_on(waiter.result())
            else:
                self._forget(waiter)
            raise
        # Handed one just as the wait ran out: it is this click's.
        return self._forget(waiter)

    def _forget(self, waiter: asyncio.Future[Any]) -> Any:
        """What `waiter` was handed (None: nothing), it out of the queue."""
        if waiter.done() and not waiter.cancelled():
            return waiter.result()
        waiter.cancel()
        try:
            self.waiters.remove(waiter)
        except ValueError:
            pass
        return None

    async def _take_now(self) -> Any:
        if self.closed:
            return None
        while self.idle:
            conn = self.idle.pop()
            if not conn.is_closed():
                return conn
            self.opened -= 1
        if self.opened >= self.size or time.monotonic() < self.retry_at:
            return None
        self.opened += 1
        try:
            return await _connect(self.connect_kwargs, self.limit)
        except TimeoutError:
            # The database does not answer: so say, as the usual way would.
            self._could_not_open()
            raise DatabaseTimeout() from None
        except Exception as error:
            self._could_not_open()
            logger.warning("the serving loop could not connect: %r", error)
            return None
        except BaseException:  # cancelled while connecting
            self.opened -= 1
            self._hand_on(None)
            raise

    def _could_not_open(self) -> None:
        self.opened -= 1
        self.retry_at = time.monotonic() + RETRY_AFTER_SECONDS
        self._hand_on(None)  # those waiting go the usual way now

    def _give_back(self, conn: Any, healthy: bool) -> None:
        if healthy and not conn.is_closed() and not self.closed:
            self._hand_on(conn)
        else:
            self.opened -= 1
            conn.terminate()
            self._hand_on(None)

    def _hand_on(self, conn: Any) -> None:
        """`conn` to the oldest waiting click (None: it may open one, or
        must go the usual way), else idle."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        if conn is not None:
            self.idle.append(conn)


def _terminated(error: BaseException) -> bool:
    """The backend was terminated: said as the answer, or (asyncpg) as the
    cause of the connection's loss."""
    return TERMINATED in (
        getattr(error, "sqlstate", None),
        getattr(error.__cause__, "sqlstate", None),
    )


async def _connect(kwargs: dict[str, Any], limit: float | None) -> Any:
    import asyncpg  # here: the embedded default never needs it

    timeout = kwargs["timeout"] if limit is None else min(kwargs["timeout"], limit)
    conn = await asyncpg.connect(**{**kwargs, "timeout": timeout})
    try:
        await conn.fetchrow(_FIRST_STATEMENT, [], timeout=timeout)
    except BaseException:
        conn.terminate()
        raise
    return conn


def _server_settings(options: str) -> dict[str, str]:
    """libpq's `options` (`-c name=value ...`, e.g. a search_path set in
    DATABASE_URL) as asyncpg's server settings, so the loop's connections
    see the database as Django's do."""
    words = options.replace("-c ", "-c").split()
    pairs = (w[2:].partition("=") for w in words if w.startswith("-c"))
    return {name: value for name, _, value in pairs if name}


def _connect_kwargs() -> dict[str, Any]:
    """asyncpg's arguments for the database Django uses (the test database
    in tests), in autocommit as asyncpg always is."""
    db = connections["default"].settings_dict
    options = db.get("OPTIONS", {})
    kwargs: dict[str, Any] = {
        "host": db.get("HOST") or None,
        "port": int(db["PORT"]) if db.get("PORT") else None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "database": db["NAME"],
        "timeout": float(options.get("connect_timeout", CONNECT_TIMEOUT_SECONDS)),
        # A statement is prepared once per connection, as on the usual way,
        # unless the settings turned preparing off (a pooler in between).
        "statement_cache_size": 0 if options.get("prepare_threshold") is None else 64,
        "server_settings": {
            **_server_settings(options.get("options", "")),
            "application_name": "seats-loop",
            "TimeZone": "UTC",
        },
    }
    limit = settings.SEAT_DB_CALL_TIMEOUT_SECONDS
    if limit > 0:
        # Bounds asyncpg's own cancel request after a timeout too.
        kwargs["command_timeout"] = limit
    if options.get("sslmode"):
        kwargs["ssl"] = options["sslmode"]
    return kwargs
