"""The domain's one announcement hook.

Services describe each committed change as a `SeatChange` and hand it to
`announce_on_commit`; receivers (the realtime package) learn about it only
after the transaction commits, so a change that rolls back is never
announced. This module knows nothing of WebSockets or channel layers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
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
class SeatGroup:
    """The seats of one holder that one change touched, in their new state.

    `holder` acted on them (held, released, extended, booked), or it was
    their hold that lapsed; `token` names the hold they were or are in
    (webhooks carry it, browsers never see it).
    """

    holder: str
    seats: tuple[SeatState, ...]
    token: str | None = None


def group(
    holder: str, seats: Iterable[SeatState], token: str | None = None
) -> SeatGroup:
    return SeatGroup(holder, tuple(seats), token)


@dataclass(frozen=True, slots=True)
class SeatChange:
    """One committed transaction's effect on one event.

    `groups` says whose seats changed and how; `seats` is every seat of
    them once, in id order, and `holders` everyone who acted (or whose
    hold lapsed), sorted. A change of the seating plan itself (reason
    `plan_changed`) has no groups: only a fresh snapshot describes it.
    """

    event_id: int
    version: int
    reason: str
    at: datetime
    groups: tuple[SeatGroup, ...] = ()
    seats: tuple[SeatState, ...] = field(init=False)
    holders: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        seats = [seat for g in self.groups for seat in g.seats]
        if len(self.groups) > 1:
            seats.sort(key=lambda seat: seat.id)
        object.__setattr__(self, "seats", tuple(seats))
        holders = sorted({g.holder for g in self.groups})
        object.__setattr__(self, "holders", tuple(holders))


def announce_on_commit(change: SeatChange) -> None:
    transaction.on_commit(lambda: _send(change))


def announce_now(change: SeatChange) -> None:
    """A change already committed (a statement in autocommit on the serving
    loop, seats.loop_db), announced at once: Django's `on_commit` would ask
    the loop thread's own connection, which an event loop may not use."""
    _send(change)


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
