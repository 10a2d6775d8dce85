"""The waiting room's state changes and the questions the seat map asks.

Every change bumps the room's version in its transaction and announces
`queue_changed` after commit (seats.signals), so every waiting page learns
of it without polling. Admission is by rank, at the room's rate, with a
credit kept on the room row: a restarted admitter loses nobody's place and
owes nobody an admission twice.
"""

from __future__ import annotations

import bisect
import logging
import secrets
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from seats.errors import BadRequest, NotAdmitted, TooManyPlaces
from seats.models import Event, Seat
from seats.signals import announce_queue_on_commit
from seats.sql import prepared_cursor
from seats.waiting.models import (
    EARLIEST_OPENING,
    EARLY_RANKS,
    LATEST_OPENING,
    Place,
    WaitingRoom,
)

logger = logging.getLogger(__name__)

# At most this many seconds' worth of admissions can pile up while nobody
# waits (or the room is full), so a quiet spell is not followed by a burst.
MAX_CREDIT_SECONDS = 2.0


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


@dataclass(frozen=True, slots=True)
class RoomStats:
    """What staff see of a room."""

    event_id: int
    enabled: bool
    opens_at: datetime
    paused: bool
    rate_per_minute: int
    max_admitted: int
    shopping_seconds: int
    waiting: int
    admitted: int
    median_wait_seconds: float | None


def active_room(event_id: int) -> WaitingRoom | None:
    """The event's room if queue mode is on."""
    return WaitingRoom.objects.filter(event_id=event_id, enabled=True).first()


def _active_room_id(event_id: int) -> int | None:
    """`active_room`'s id, in plain SQL: every hold on every event asks this,
    and for the common answer (no room) the ORM's query building would cost
    more than the round trip."""
    table = connection.ops.quote_name(WaitingRoom._meta.db_table)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE event_id = %s AND enabled", [event_id]
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def join(
    *, event_id: int, holder: str, client: str = "", now: datetime | None = None
) -> Place:
    """The holder's place, taken now if they have none (or gave theirs up).

    One place per holder (browser session): joining again, from a reload or
    another tab, returns the same place. A visitor whose admission lapsed
    or who left joins again at the back, except before the opening: then
    they get back their first draw (leaving and joining again never buys a
    new one).

    `client` says who is behind the session as far as the server can tell
    (a key of their address; empty when it cannot or need not): at most
    SEAT_QUEUE_PLACES_PER_CLIENT places of a room are waiting or admitted
    for one client at a time, else TooManyPlaces and nothing changes.
    Sessions are free to make, so without this one person could draw as
    many early places as they open browsers.
    """
    now = now or timezone.now()
    room = active_room(event_id)
    if room is None:
        raise BadRequest("This event has no waiting room now.")
    place = Place.objects.filter(room=room, holder=holder).first()
    if place is not None and _state_of(place, now) in (
        Place.State.WAITING,
        Place.State.ADMITTED,
    ):
        return place
    try:
        with transaction.atomic():
            _refuse_past_client_limit(room, holder, client)
            early = now < room.opens_at
            if place is not None and early and place.rank < EARLY_RANKS:
                Place.objects.filter(pk=place.pk).update(
                    state=Place.State.WAITING, admitted_at=None, expires_at=None
                )
                place.refresh_from_db()
                _changed(room)
                return place
            if place is not None:
                place.delete()
            place = Place.objects.create(
                room=room, holder=holder, client=client, rank=0, joined_at=now
            )
            # Early arrivals draw their rank; later ones queue in order.
            rank = secrets.randbelow(EARLY_RANKS) if early else EARLY_RANKS + place.id
            Place.objects.filter(pk=place.pk).update(rank=rank)
            place.rank = rank
            _changed(room)
    except IntegrityError:  # another tab of the same session was first
        return Place.objects.get(room=room, holder=holder)
    return place


def _refuse_past_client_limit(room: WaitingRoom, holder: str, client: str) -> None:
    """TooManyPlaces if `client` has its fill of active places in `room`.

    On PostgreSQL one client's joins take turns (a transaction-scoped
    advisory lock on room and client), so racing tabs cannot all pass the
    count; other clients are not held up.
    """
    limit = settings.SEAT_QUEUE_PLACES_PER_CLIENT
    if not client or limit <= 0:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [room.id, client]
            )
    active = (
        Place.objects.filter(
            room=room,
            client=client,
            state__in=(Place.State.WAITING, Place.State.ADMITTED),
        )
        .exclude(holder=holder)
        .count()
    )
    if active >= limit:
        raise TooManyPlaces()


def leave(*, event_id: int, holder: str) -> bool:
    """Give the place up; True if there was one to give up."""
    room = active_room(event_id)
    if room is None:
        return False
    with transaction.atomic():
        left = Place.objects.filter(
            room=room,
            holder=holder,
            state__in=[Place.State.WAITING, Place.State.ADMITTED],
        ).update(state=Place.State.LEFT)
        if left:
            _changed(room)
    return bool(left)


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
        room_id = _active_room_id(event_id)
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
    return _holds_seats(event_id, holder, now)


def _holds_seats(event_id: int, holder: str, now: datetime) -> bool:
    return Seat.objects.filter(event_id=event_id).held_by(holder, now).exists()


def _state_of(place: Place, now: datetime) -> str:
    """The place's state as of `now`: an admission past its window counts as
    lapsed (unless seats are held), whether or not the admitter has run."""
    if (
        place.state == Place.State.ADMITTED
        and place.expires_at is not None
        and place.expires_at <= now
        and not _holds_seats(place.room.event_id, place.holder, now)
    ):
        return Place.State.LAPSED
    return place.state


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


def status(*, event_id: int, holder: str, now: datetime | None = None) -> QueueStatus:
    """The holder's place as the waiting page shows it (two counts on the
    rank index, whatever the length of the line)."""
    now = now or timezone.now()
    room = WaitingRoom.objects.get(event_id=event_id)
    place = (
        Place.objects.filter(room=room, holder=holder).select_related("room").first()
    )
    state = _state_of(place, now) if place is not None else "none"
    line = Place.objects.filter(room=room, state=Place.State.WAITING)
    position = None
    if place is not None and state == Place.State.WAITING:
        position = line.filter(rank__lt=place.rank).count() + 1
    return _status(room, place, state, position, line.count(), now)


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
            out[holder] = _status(room, None, "none", None, len(ranks), now)
            continue
        place.room = room  # _state_of reads the room's event
        state = _state_of(place, now)
        position = None
        if state == Place.State.WAITING:
            position = bisect.bisect_left(ranks, place.rank) + 1
        out[holder] = _status(room, place, state, position, len(ranks), now)
    return out


def status_in_line(
    room: WaitingRoom, ranks: Sequence[int], position: int, now: datetime
) -> QueueStatus:
    """The status of the place waiting at `position` (1-based) of `ranks`."""
    return QueueStatus(
        event_id=room.event_id,
        version=room.version,
        opens_at=room.opens_at,
        state=Place.State.WAITING,
        position=position,
        waiting=len(ranks),
        admitted_until=None,
        rate_per_minute=room.rate_per_minute,
        paused=room.paused,
        estimated_wait_seconds=estimated_wait(room, position, now),
        rank=ranks[position - 1],
    )


def _status(
    room: WaitingRoom,
    place: Place | None,
    state: str,
    position: int | None,
    waiting: int,
    now: datetime,
) -> QueueStatus:
    return QueueStatus(
        event_id=room.event_id,
        version=room.version,
        opens_at=room.opens_at,
        state=state,
        position=position,
        waiting=waiting,
        admitted_until=place.expires_at
        if place is not None and state == Place.State.ADMITTED
        else None,
        rate_per_minute=room.rate_per_minute,
        paused=room.paused,
        estimated_wait_seconds=estimated_wait(room, position, now),
        rank=place.rank if place is not None else None,
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


def admit_due(*, now: datetime | None = None) -> list[int]:
    """One tick of every open room: lapse ended admissions, admit the next
    in line as the rate allows. Returns the ids of the events whose room
    changed. Run by one process at a time (the sweeper's leader)."""
    now = now or timezone.now()
    changed = []
    for room_id in WaitingRoom.objects.filter(
        enabled=True, opens_at__lte=now
    ).values_list("id", flat=True):
        try:
            with transaction.atomic():
                room = WaitingRoom.objects.select_for_update().get(pk=room_id)
                if _tick(room, now):
                    _changed(room)
                    changed.append(room.event_id)
        except DatabaseError:
            raise  # the database itself: the caller's retry, for every room
        except Exception:
            # One room's bad row (a value stored before it was checked, say)
            # must not stop every other event's line: logged, skipped.
            logger.exception("waiting room %s: this tick failed; skipped", room_id)
    return changed


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


def _changed(room: WaitingRoom) -> None:
    WaitingRoom.objects.filter(pk=room.pk).update(version=F("version") + 1)
    room.refresh_from_db(fields=["version"])
    announce_queue_on_commit(room.event_id, room.version)


def configure(
    *,
    event_id: int,
    enabled: bool | None = None,
    opens_at: datetime | None = None,
    rate_per_minute: int | None = None,
    max_admitted: int | None = None,
    shopping_seconds: int | None = None,
    paused: bool | None = None,
) -> WaitingRoom:
    """Staff settings; a room is made on first use. Raises Event.DoesNotExist."""
    Event.objects.only("id").get(pk=event_id)
    if opens_at is not None and not EARLIEST_OPENING <= opens_at <= LATEST_OPENING:
        raise BadRequest("The opening must be between the years 2000 and 2099.")
    with transaction.atomic():
        room, _ = WaitingRoom.objects.select_for_update().get_or_create(
            event_id=event_id, defaults={"opens_at": opens_at or timezone.now()}
        )
        for name, value in (
            ("enabled", enabled),
            ("opens_at", opens_at),
            ("rate_per_minute", rate_per_minute),
            ("max_admitted", max_admitted),
            ("shopping_seconds", shopping_seconds),
            ("paused", paused),
        ):
            if value is not None:
                setattr(room, name, value)
        if rate_per_minute is not None and rate_per_minute > 10_000:
            raise BadRequest("Admit at most 10,000 people a minute.")
        room.save()
        _changed(room)
    return room


def stats(*, event_id: int) -> RoomStats | None:
    """The room's figures for the dashboard; None if the event has none."""
    room = WaitingRoom.objects.filter(event_id=event_id).first()
    if room is None:
        return None
    places = Place.objects.filter(room=room)
    waits = [
        (admitted - joined).total_seconds()
        for joined, admitted in places.values_list("joined_at", "admitted_at")
        if admitted is not None
    ]
    return RoomStats(
        event_id=event_id,
        enabled=room.enabled,
        opens_at=room.opens_at,
        paused=room.paused,
        rate_per_minute=room.rate_per_minute,
        max_admitted=room.max_admitted,
        shopping_seconds=room.shopping_seconds,
        waiting=places.filter(state=Place.State.WAITING).count(),
        admitted=places.filter(state=Place.State.ADMITTED).count(),
        median_wait_seconds=statistics.median(waits) if waits else None,
    )
