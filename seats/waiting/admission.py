"""Who may hold seats now, and the admitter's tick that lets the next in
line in at the room's rate.

Admission is by rank, with a credit kept on the room row: a restarted
admitter loses nobody's place and owes nobody an admission twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from seats.errors import NotAdmitted
from seats.models import Seat
from seats.waiting.models import Place, WaitingRoom
from seats.waiting.places import active_room_id, changed, holds_seats

logger = logging.getLogger(__name__)

# At most this many seconds' worth of admissions can pile up while nobody
# waits (or the room is full), so a quiet spell is not followed by a burst.
MAX_CREDIT_SECONDS = 2.0


def is_admitted(
    *, event_id: int, holder: str, now: datetime, room_on: bool | None = None
) -> bool:
    """Whether the holder may hold and book now: no room; or admitted and
    within the shopping window; or holding seats of the event now (an
    admission that outlasts its window while seats are held, or a hold
    taken before staff turned the room on).

    `room_on`: whether the event's room is on, when the caller read it in
    the same transaction as its seats (None: read it here).
    """
    if room_on is None:
        room_id = active_room_id(event_id)
        if room_id is None:
            return True
        places = Place.objects.filter(room_id=room_id)
    elif not room_on:
        return True
    else:
        places = Place.objects.filter(room__event_id=event_id, room__enabled=True)
    place = places.filter(holder=holder, state=Place.State.ADMITTED).first()
    if place is not None and place.expires_at is not None and place.expires_at > now:
        return True
    return holds_seats(event_id, holder, now)


def admitted_until(*, event_id: int, holder: str) -> datetime | None:
    """When the holder's admission ends (the shopping window), if admitted."""
    return (
        Place.objects.filter(
            room__event_id=event_id, holder=holder, state=Place.State.ADMITTED
        )
        .values_list("expires_at", flat=True)
        .first()
    )


def require_admission(
    *,
    event_id: int,
    holder: str,
    staff: Callable[[], bool] | None = None,
    now: datetime | None = None,
    room_on: bool | None = None,
) -> None:
    """Raise NotAdmitted unless `is_admitted`; staff are never queued.

    `staff` says whether the visitor is staff (access.session_is_staff); it
    is asked only for a visitor the room has not admitted. `room_on` as for
    `is_admitted`.
    """
    now = now or timezone.now()
    if is_admitted(event_id=event_id, holder=holder, now=now, room_on=room_on):
        return
    if staff is not None and staff():
        return
    raise NotAdmitted()


def admit_due(*, now: datetime | None = None) -> list[int]:
    """One tick of every open room: lapse ended admissions, admit the next
    in line as the rate allows. Returns the ids of the events whose room
    changed. Run by one process at a time (the sweeper's leader)."""
    now = now or timezone.now()
    events = []
    for room_id in WaitingRoom.objects.filter(
        enabled=True, opens_at__lte=now
    ).values_list("id", flat=True):
        try:
            with transaction.atomic():
                room = WaitingRoom.objects.select_for_update().get(pk=room_id)
                if _tick(room, now):
                    changed(room)
                    events.append(room.event_id)
        except DatabaseError:
            raise  # the database itself: the caller's retry, for every room
        except Exception:
            # One room's bad row (a value stored before it was checked, say)
            # must not stop every other event's line: logged, skipped.
            logger.exception("waiting room %s: this tick failed; skipped", room_id)
    return events


def _tick(room: WaitingRoom, now: datetime) -> bool:
    lapsed = _lapse(room, now)
    last = room.credit_at
    opening = last is None or last < room.opens_at
    since = room.opens_at if last is None or opening else last
    if room.paused:
        room.credit_at = now
        room.save(update_fields=["credit_at"])
        return lapsed > 0
    per_second = room.rate_per_minute / 60
    earned = per_second * max(0.0, (now - since).total_seconds())
    # The first tick of an opening admits the first in line at once, not one
    # rate interval later; credit owed from before the opening is forgotten.
    credit = (0.0 if opening else room.credit) + earned
    if opening and room.rate_per_minute:
        credit = max(credit, 1.0)
    credit = min(credit, max(1.0, per_second * MAX_CREDIT_SECONDS))
    admitted_now = Place.objects.filter(room=room, state=Place.State.ADMITTED).count()
    room_left = max(0, room.max_admitted - admitted_now)
    # Credit is summed tick by tick: ten tenths must make one admission.
    due = min(int(credit + 1e-9), room_left)
    admitted = 0
    if due:
        next_ids = list(
            Place.objects.filter(room=room, state=Place.State.WAITING)
            .order_by("rank")
            .values_list("id", flat=True)[:due]
        )
        admitted = Place.objects.filter(id__in=next_ids).update(
            state=Place.State.ADMITTED,
            admitted_at=now,
            expires_at=now + timedelta(seconds=room.shopping_seconds),
        )
    room.credit = credit - admitted
    room.credit_at = now
    room.save(update_fields=["credit", "credit_at"])
    return bool(lapsed or admitted)


def next_opening(now: datetime) -> datetime | None:
    """The next opening of a room that is on and has not opened yet (the
    admitter wakes for it, so the first admission is at the opening)."""
    return (
        WaitingRoom.objects.filter(enabled=True, opens_at__gt=now)
        .order_by("opens_at")
        .values_list("opens_at", flat=True)
        .first()
    )


def _lapse(room: WaitingRoom, now: datetime) -> int:
    """Admissions whose window ended, unless the visitor holds seats now."""
    ended = list(
        Place.objects.filter(
            room=room, state=Place.State.ADMITTED, expires_at__lte=now
        ).values_list("id", "holder")
    )
    if not ended:
        return 0
    holding = set(
        Seat.objects.filter(event_id=room.event_id, holder__in=[h for _, h in ended])
        .held_at(now)
        .values_list("holder", flat=True)
    )
    gone = [pk for pk, holder in ended if holder not in holding]
    return Place.objects.filter(id__in=gone).update(state=Place.State.LAPSED)
