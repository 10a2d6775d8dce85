"""How many places each standing area of an event has left, as of a moment.

Counted from the place rows at that moment (a lapsed hold's places count as
available whether or not the sweeper has run): the truth, never a counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from seats.models import Event, Seat, SeatStatus, channel_active, status_of


@dataclass(frozen=True, slots=True)
class StandingCount:
    key: str
    name: str
    category: str
    capacity: int
    available: int
    held: int
    booked: int
    blocked: int
    # Of the available ones, those kept for an active sales channel: on sale
    # only to its holders (docs/presales.md).
    kept: int = 0


def standing_counts(event_id: int, now: datetime | None = None) -> list[StandingCount]:
    """The event's standing areas in plan order, each with its places by status."""
    now = now or timezone.now()
    standing = (
        Event.objects.values_list("plan__standing", flat=True).get(pk=event_id) or []
    )
    if not standing:
        return []
    counts: dict[str, dict[SeatStatus, int]] = {a["key"]: {} for a in standing}
    kept: dict[str, int] = {}
    rows = (
        Seat.objects.filter(event_id=event_id)
        .exclude(area="")
        .values_list(
            "area",
            "booking_id",
            "held_until",
            "blocked",
            "channel_id",
            "channel__releases_at",
        )
    )
    for area, booking, until, blocked, channel, releases_at in rows:
        status = status_of(
            booking_id=booking, held_until=until, now=now, blocked=blocked
        )
        by_status = counts.setdefault(area, {})
        by_status[status] = by_status.get(status, 0) + 1
        if (
            status is SeatStatus.AVAILABLE
            and channel is not None
            and channel_active(releases_at, now)
        ):
            kept[area] = kept.get(area, 0) + 1
    return [
        StandingCount(
            key=a["key"],
            name=a["name"],
            category=a["category"],
            capacity=sum(counts[a["key"]].values()),
            available=counts[a["key"]].get(SeatStatus.AVAILABLE, 0),
            held=counts[a["key"]].get(SeatStatus.HELD, 0),
            booked=counts[a["key"]].get(SeatStatus.BOOKED, 0),
            blocked=counts[a["key"]].get(SeatStatus.BLOCKED, 0),
            kept=kept.get(a["key"], 0),
        )
        for a in standing
        if a["key"] in counts
    ]
