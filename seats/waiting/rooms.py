"""A room's staff settings and the figures the dashboard shows."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from seats.errors import BadRequest
from seats.models import Event
from seats.waiting.models import EARLIEST_OPENING, LATEST_OPENING, Place, WaitingRoom
from seats.waiting.places import changed


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
        changed(room)
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
