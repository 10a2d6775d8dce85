"""A visitor's place in a waiting room: taking it, giving it up, and the
state it is in now.

One place per holder (browser session). Every change bumps the room's
version in its transaction and announces `queue_changed` after commit
(`changed`), so every waiting page learns of it without polling.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from seats.errors import BadRequest, TooManyPlaces
from seats.models import Seat
from seats.signals import announce_queue_on_commit
from seats.sql import prepared_cursor
from seats.waiting.models import EARLY_RANKS, Place, WaitingRoom


def active_room(event_id: int) -> WaitingRoom | None:
    """The event's room if queue mode is on."""
    return WaitingRoom.objects.filter(event_id=event_id, enabled=True).first()


def active_room_id(event_id: int) -> int | None:
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
    if place is not None and state_of(place, now) in (
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
                changed(room)
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
            changed(room)
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
            changed(room)
    return bool(left)


def holds_seats(event_id: int, holder: str, now: datetime) -> bool:
    return Seat.objects.filter(event_id=event_id).held_by(holder, now).exists()


def state_of(place: Place, now: datetime) -> str:
    """The place's state as of `now`: an admission past its window counts as
    lapsed (unless seats are held), whether or not the admitter has run."""
    if (
        place.state == Place.State.ADMITTED
        and place.expires_at is not None
        and place.expires_at <= now
        and not holds_seats(place.room.event_id, place.holder, now)
    ):
        return Place.State.LAPSED
    return place.state


def changed(room: WaitingRoom) -> None:
    WaitingRoom.objects.filter(pk=room.pk).update(version=F("version") + 1)
    room.refresh_from_db(fields=["version"])
    announce_queue_on_commit(room.event_id, room.version)
