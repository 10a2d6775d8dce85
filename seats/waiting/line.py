"""What a waiting page sees: a visitor's status, and the line as every
page of a room shares it (one read of the waiting ranks serves them all).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from seats.waiting.models import Place, WaitingRoom
from seats.waiting.places import state_of


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """One visitor's view of the room at `now`."""

    event_id: int
    version: int
    opens_at: datetime
    state: str  # a Place.State value, or "none" before joining
    position: int | None  # 1 = next in line; None unless waiting
    waiting: int  # everyone waiting
    admitted_until: datetime | None
    rate_per_minute: int
    paused: bool
    estimated_wait_seconds: int | None
    # The place's rank: the page finds itself in `QueueLine.marks` by it.
    # Not a handle: nothing is ever asked for by rank.
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class QueueLine:
    """The line as every waiting page of a room sees it, the same for all:
    each page works out its own position from `marks` and its rank."""

    event_id: int
    version: int
    enabled: bool
    opens_at: datetime
    paused: bool
    rate_per_minute: int
    waiting: int
    # (position, rank) pairs, in order: the first EXACT_MARKS places, then
    # about SPREAD_MARKS more spread evenly to the last one.
    marks: tuple[tuple[int, int], ...]


def status(*, event_id: int, holder: str, now: datetime | None = None) -> QueueStatus:
    """The holder's place as the waiting page shows it (two counts on the
    rank index, whatever the length of the line)."""
    now = now or timezone.now()
    room = WaitingRoom.objects.get(event_id=event_id)
    place = (
        Place.objects.filter(room=room, holder=holder).select_related("room").first()
    )
    state = state_of(place, now) if place is not None else "none"
    line = Place.objects.filter(room=room, state=Place.State.WAITING)
    position = None
    if place is not None and state == Place.State.WAITING:
        position = line.filter(rank__lt=place.rank).count() + 1
    return _place_status(room, place, state, position, line.count(), now)


def statuses_in_line(
    room: WaitingRoom, holders: Sequence[str], ranks: Sequence[int], now: datetime
) -> dict[str, QueueStatus]:
    """Each holder's status against `ranks` (the room's waiting ranks in
    order, read with `room`): one read of their places, however many."""
    places = {
        place.holder: place
        for place in Place.objects.filter(room=room, holder__in=holders)
    }
    out = {}
    for holder in holders:
        place = places.get(holder)
        if place is None:
            out[holder] = _status(room, "none", None, len(ranks), now)
            continue
        place.room = room  # state_of reads the room's event
        state = state_of(place, now)
        position = None
        if state == Place.State.WAITING:
            position = bisect.bisect_left(ranks, place.rank) + 1
        out[holder] = _place_status(room, place, state, position, len(ranks), now)
    return out


def status_in_line(
    room: WaitingRoom, ranks: Sequence[int], position: int, now: datetime
) -> QueueStatus:
    """The status of the place waiting at `position` (1-based) of `ranks`."""
    return _status(
        room, Place.State.WAITING, position, len(ranks), now, rank=ranks[position - 1]
    )


def _place_status(
    room: WaitingRoom,
    place: Place | None,
    state: str,
    position: int | None,
    waiting: int,
    now: datetime,
) -> QueueStatus:
    """`place`'s status (None: the holder has no place) in state `state`."""
    if place is None:
        return _status(room, state, position, waiting, now)
    until = place.expires_at if state == Place.State.ADMITTED else None
    return _status(
        room, state, position, waiting, now, rank=place.rank, admitted_until=until
    )


def _status(
    room: WaitingRoom,
    state: str,
    position: int | None,
    waiting: int,
    now: datetime,
    *,
    rank: int | None = None,
    admitted_until: datetime | None = None,
) -> QueueStatus:
    return QueueStatus(
        event_id=room.event_id,
        version=room.version,
        opens_at=room.opens_at,
        state=state,
        position=position,
        waiting=waiting,
        admitted_until=admitted_until,
        rate_per_minute=room.rate_per_minute,
        paused=room.paused,
        estimated_wait_seconds=estimated_wait(room, position, now),
        rank=rank,
    )


# How a QueueLine marks the line: the front exactly (the next to be admitted
# see their true place), the rest by samples between which a page
# interpolates. Ranks are uniform draws before the opening and place ids
# after it, so a page between two samples some hundreds of places apart is
# rarely more than a few off.
EXACT_MARKS = 10


SPREAD_MARKS = 30


def line_of(room: WaitingRoom, ranks: list[int]) -> QueueLine:
    """The shared view of `room` whose waiting ranks (in order) are `ranks`."""
    count = len(ranks)
    picks = list(range(min(count, EXACT_MARKS)))
    if count > EXACT_MARKS:
        step = max(1, -(-(count - EXACT_MARKS) // SPREAD_MARKS))
        picks += range(EXACT_MARKS - 1 + step, count - 1, step)
        picks.append(count - 1)
    return QueueLine(
        event_id=room.event_id,
        version=room.version,
        enabled=room.enabled,
        opens_at=room.opens_at,
        paused=room.paused,
        rate_per_minute=room.rate_per_minute,
        waiting=count,
        marks=tuple((i + 1, ranks[i]) for i in picks),
    )


def waiting_ranks(room_id: int) -> list[int]:
    """The ranks of everyone waiting, in order: one read serves every
    waiting page of a process (each finds its position by bisection)."""
    return list(
        Place.objects.filter(room_id=room_id, state=Place.State.WAITING)
        .order_by("rank")
        .values_list("rank", flat=True)
    )


def estimated_wait(
    room: WaitingRoom, position: int | None, now: datetime
) -> int | None:
    """Seconds until `position` is admitted at the room's rate (from the
    opening, if it has not opened yet); None when it cannot be told."""
    if position is None or room.paused or room.rate_per_minute == 0:
        return None
    start = max(0.0, (room.opens_at - now).total_seconds())
    return int(start + (position - 1) * 60 / room.rate_per_minute)
