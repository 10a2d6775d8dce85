"""Row locks for the services: inside a transaction, in one order, bounded.

Every service locks seats (by primary key), then holds, then the event row,
so two transactions on PostgreSQL can never wait for each other in a cycle.
On SQLite the IMMEDIATE transaction mode serialises writers outright and
`select_for_update` is a no-op. As in pretix's `lock_objects`, the helpers
refuse to run outside `transaction.atomic()` (a lock outside one would be
released at once), and on PostgreSQL a lock wait is bounded by
`SEAT_LOCK_TIMEOUT_SECONDS`: a stuck lock becomes a `Busy` error for the
caller instead of a hung request, and so does a deadlock PostgreSQL broke
(after the service has run once more: `retried_after_deadlock`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction

from seats.errors import Busy, UnknownSeat
from seats.models import Seat
from seats.services import statements
from seats.sql import prepared_cursor

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


def require_transaction() -> None:
    """Raise unless called inside `transaction.atomic()`."""
    if not connection.in_atomic_block:
        raise RuntimeError("Row locks are only taken inside transaction.atomic().")


@contextmanager
def locked_transaction() -> Iterator[None]:
    """`transaction.atomic()` with a bounded lock wait; a timeout raises `Busy`."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                milliseconds = int(settings.SEAT_LOCK_TIMEOUT_SECONDS * 1000)
                with prepared_cursor() as cursor:
                    # Local (true): ends with this transaction, so a pooled
                    # connection goes back to the pool unchanged. A SELECT,
                    # not SET, so that it is prepared like the statements.
                    cursor.execute(
                        "SELECT set_config('lock_timeout', %s, true)",
                        [f"{milliseconds}ms"],
                    )
            yield
    except OperationalError as error:
        if is_lock_timeout(error):
            raise Busy() from error
        raise


def retried_after_deadlock(service: Callable[P, T]) -> Callable[P, T]:
    """`service` run once more if PostgreSQL broke a deadlock by ending it.

    Safe: the victim's transaction was rolled back whole, so nothing was
    written, and nothing was announced (announcements follow commits). Only
    when the service's transaction is its own: inside a caller's, that
    transaction is aborted, and only the caller can start it again. A
    second deadlock in a row (or a lock timeout) is answered `busy`.
    """

    @functools.wraps(service)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        if connection.in_atomic_block:
            return service(*args, **kwargs)
        try:
            return service(*args, **kwargs)
        except Busy as busy:
            if not _is_deadlock(busy):
                raise
            logger.info(
                "%s was a deadlock's victim; running it again", service.__name__
            )
            return service(*args, **kwargs)

    return call


def _is_deadlock(busy: Busy) -> bool:
    return (
        getattr(busy.__cause__ and busy.__cause__.__cause__, "sqlstate", None)
        == "40P01"
    )


def lock_seats(event_id: int, seat_ids: list[int], *, runs: bool = False) -> list[Seat]:
    """Lock the seats in primary-key order; unknown ids (or another event's) raise.

    `runs`: for a request the single-seat rule will judge, lock the rest of
    these seats' runs too where the event has the rule, in the same order,
    so the neighbours the rule reads cannot change under it.
    """
    require_transaction()
    return read_seats(event_id, seat_ids, lock=True, runs=runs)


def read_seats(
    event_id: int, seat_ids: list[int], *, lock: bool = False, runs: bool = False
) -> list[Seat]:
    """The seats in primary-key order; unknown ids (or another event's) raise."""
    # The event's single-seat flag comes along (a join, not a statement of
    # its own): the seat rules read it with the seats (`avoids_single_seats`).
    seats = statements.select_seats(event_id, seat_ids, lock=lock, runs=runs)
    if len(seats) != len(seat_ids):
        missing = set(seat_ids) - {s.id for s in seats}
        raise UnknownSeat(
            "Some of these seats do not exist for this event.", seat_ids=missing
        )
    return seats


def lock_holds(hold_ids: Iterable[int | None]) -> dict[int, str]:
    """Lock these holds (after their seats): whoever adds seats to one waits.

    Returns each locked hold's token by id.
    """
    require_transaction()
    ids = sorted({h for h in hold_ids if h is not None})
    if not ids:
        return {}
    return statements.lock_hold_tokens(ids)


def is_lock_timeout(error: OperationalError) -> bool:
    """A lock wait that ended without the lock: the bound passed (55P03,
    LockNotAvailable) or PostgreSQL broke a deadlock by ending this
    transaction (40P01). Either way nothing was written: the caller may
    retry, so the answer is `busy`, not a server error."""
    # By SQLSTATE, without importing psycopg where the embedded default
    # runs without it.
    return getattr(error.__cause__, "sqlstate", None) in {"55P03", "40P01"}
