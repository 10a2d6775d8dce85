"""The domain's one announcement hook.

Services describe each committed change as a `SeatChange` and hand it to
`announce_on_commit`; receivers (the realtime package) learn about it only
after the transaction commits, so a change that rolls back is never
announced. This module knows nothing of WebSockets or channel layers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.dispatch import Signal

from seats.models import SeatStatus

logger = logging.getLogger(__name__)

# Sent with `change=SeatChange` after commit.
seats_changed = Signal()
# Sent with `event_id` and `version` after a waiting room's change commits.
queue_changed = Signal()


def announce_queue_on_commit(event_id: int, version: int) -> None:
    def send() -> None:
        for receiver, result in queue_changed.send_robust(
            sender=None, event_id=event_id, version=version
        ):
            if isinstance(result, Exception):
                logger.error(
                    "announcing the queue of event %s failed in %r",
                    event_id,
                    receiver,
                    exc_info=result,
                )

    transaction.on_commit(send)


@dataclass(frozen=True, slots=True)
class SeatState:
    """A seat's new absolute state, as clients see it."""

    id: int
    label: str
    status: SeatStatus
    holder: str | None = None
    held_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class SeatChange:
    """One committed transaction's effect on one event."""

    event_id: int
    version: int
    reason: str
    # Who acted: the holder for holds, releases, extensions and bookings; the
    # former holder(s) for expiries.
    holders: tuple[str, ...]
    at: datetime
    seats: tuple[SeatState, ...] = field(default_factory=tuple)


def announce_on_commit(change: SeatChange) -> None:
    transaction.on_commit(lambda: _send(change))


def _send(change: SeatChange) -> None:
    for receiver, result in seats_changed.send_robust(sender=SeatChange, change=change):
        if isinstance(result, Exception):
            logger.error(
                "announcing %s v%s failed in %r",
                change.reason,
                change.version,
                receiver,
                exc_info=result,
            )
