"""Standing places: which free places of an area a hold takes.

A standing area's places are seat rows (`Seat.area`), so holding some is
holding seats the server chose: `pick_places` picks them inside the hold's
transaction and the hold goes on exactly as for seats, with every guarantee
a seat has. No count is kept anywhere: an area's free places are its rows
that are not booked, blocked or held at the moment of the check, so an
expired hold frees its places whether or not the sweeper has run.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection

from seats.errors import BadRequest, NotEnoughPlaces, TooManySeats
from seats.models import Event, SalesChannel, Seat
from seats.sql import prepared_cursor


@dataclass(frozen=True, slots=True)
class Places:
    """`quantity` places of the standing area `area` (its key in the plan)."""

    area: str
    quantity: int


def wanted_places(places: Iterable[Places]) -> list[Places]:
    """One request per area (quantities added up), checked: bad ones raise."""
    totals: dict[str, int] = {}
    for p in places:
        if not isinstance(p.area, str) or not p.area:
            raise BadRequest("Name the standing area by its key.")
        if isinstance(p.quantity, bool) or not isinstance(p.quantity, int):
            raise BadRequest("A quantity of places is a whole number.")
        if p.quantity < 1:
            raise BadRequest("Ask for at least one place.")
        totals[p.area] = totals.get(p.area, 0) + p.quantity
    if sum(totals.values()) > settings.SEAT_MAX_PER_HOLDER:
        raise TooManySeats(
            f"One person may hold at most {settings.SEAT_MAX_PER_HOLDER} seats "
            "and places for this event."
        )
    return [Places(area, quantity) for area, quantity in sorted(totals.items())]


def pick_places(
    event_id: int,
    places: Sequence[Places],
    now: datetime,
    channels: Collection[int] = (),
) -> list[int]:
    """Free places of each area, `quantity` of each, locked; inside the
    hold's transaction. Raises NotEnoughPlaces (or BadRequest for an area
    the event does not have), taking nothing. Places kept for an active
    sales channel go only to holders who unlocked it (`channels`).

    On PostgreSQL `FOR UPDATE SKIP LOCKED`: racing holds each lock different
    free places instead of queueing for the same ones, and a place another
    transaction is taking is passed over, never counted twice. So the last
    places of an area go to exactly as many people as there are places. On
    SQLite the IMMEDIATE transaction has the database to itself.
    """
    picked: list[int] = []
    for request in places:
        ids = _free_places(event_id, request.area, request.quantity, now, channels)
        if len(ids) < request.quantity:
            _refuse(event_id, request, len(ids))
        picked += ids
    return picked


def _free_places(
    event_id: int,
    area: str,
    quantity: int,
    now: datetime,
    channels: Collection[int],
) -> list[int]:
    seat = connection.ops.quote_name(Seat._meta.db_table)
    channel = connection.ops.quote_name(SalesChannel._meta.db_table)
    unlocked = sorted(channels)
    marks = ", ".join(["%s"] * len(unlocked))
    mine = f" OR s.channel_id IN ({marks})" if unlocked else ""
    # A kept place is free to its channel's holders, and to everyone once
    # the channel has ended (judged now, like every check).
    sql = (
        f"SELECT s.id FROM {seat} s WHERE s.event_id = %s AND s.area = %s "
        "AND s.booking_id IS NULL AND NOT s.blocked "
        "AND (s.held_until IS NULL OR s.held_until <= %s) "
        f"AND (s.channel_id IS NULL{mine} OR EXISTS (SELECT 1 FROM {channel} c "
        "WHERE c.id = s.channel_id AND c.releases_at <= %s)) "
        "ORDER BY s.id LIMIT %s"
    )
    if connection.vendor == "postgresql":
        sql += " FOR UPDATE OF s SKIP LOCKED"
    with prepared_cursor() as cursor:
        cursor.execute(sql, [event_id, area, now, *unlocked, now, quantity])
        return [row[0] for row in cursor.fetchall()]


def _refuse(event_id: int, request: Places, free: int) -> None:
    name = area_name(event_id, request.area)
    if name is None:
        raise BadRequest(f"There is no standing area {request.area!r} for this event.")
    if free == 0:
        raise NotEnoughPlaces(f"{name} is sold out.")
    places = "place is" if free == 1 else "places are"
    raise NotEnoughPlaces(
        f"Only {free} {places} left in {name}; you asked for {request.quantity}."
    )


def area_name(event_id: int, area: str) -> str | None:
    """The standing area's name on the event's plan, None if it has none."""
    plan_id = Event.objects.values_list("plan_id", flat=True).get(pk=event_id)
    if (
        plan_id is None
        or not Seat.objects.filter(event_id=event_id, area=area).exists()
    ):
        return None
    standing = (
        Event.objects.values_list("plan__standing", flat=True).get(pk=event_id) or []
    )
    return next((a["name"] for a in standing if a.get("key") == area), area)
