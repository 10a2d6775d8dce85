"""The plain clicks, answered on the serving loop (PostgreSQL).

The same one-statement hold and release as `hold_seats` and
`release_seats` take first on PostgreSQL (services.one_call), sent from
the serving loop on its own connections (seats.loop_db) instead of a
database thread: the same function, the same arguments, the same reading
of its answer, so every rule is the one the state machine checks.

None means not answered here: the event needs the long way (its waiting
room, a webhook endpoint, the single-seat rule), the click is not the
plain case, or the loop has no connection to offer. The caller then asks
the usual service, which judges everything and names any refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone

from seats import loop_db
from seats.services import one_call
from seats.services.hold_parts import HoldResult, distinct, result_of


def answers_on_loop() -> bool:
    """Whether clicks are tried here at all (PostgreSQL, loop connections
    allowed): elsewhere the caller need not ask."""
    return loop_db.enabled()


async def hold_on_loop(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int],
    now: datetime | None = None,
) -> HoldResult | None:
    """`hold_seats` of seats only (no places, token, chosen times or
    details), or None. Raises SeatsUnavailable naming the taken seats,
    Busy, DatabaseTimeout, as `hold_seats` would."""
    wanted = distinct(seat_ids)
    now = now or timezone.now()
    hold = await one_call.hold_click_on_loop(event_id, holder, wanted, now)
    return None if hold is None else result_of(wanted, hold, now, details=False)


async def release_on_loop(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int],
    now: datetime | None = None,
) -> list[int] | None:
    """`release_seats` of these seats (the seat rules apply), or None."""
    wanted = distinct(seat_ids)
    now = now or timezone.now()
    freed = await one_call.free_click_on_loop(event_id, holder, wanted, now)
    return wanted if freed else None
