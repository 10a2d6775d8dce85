"""What the REST API shows of one event or one hold, in plan order.

Plain data, read against `now` like every selector (seats.selectors): an
event with its counts, prices and standing areas; a hold's running seats
with their prices; seat ids put in the order people read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Avg
from django.utils import timezone

from seats import ordering
from seats.models import Event, Hold, Seat
from seats.selectors import (
    CategoryView,
    EventSummary,
    _summaries,
    categories_of,
    events_with_counts,
)
from seats.standing import StandingCount, standing_counts

# The REST API's reads (api/v1): one event, one hold by token, one booking.


@dataclass(frozen=True, slots=True)
class EventDetails:
    summary: EventSummary
    checkout_url: str
    categories: list[CategoryView]
    standing: list[StandingCount] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class HeldSeat:
    id: int
    label: str
    category: str
    price: Decimal
    currency: str
    area: str = ""  # a standing area's key: a place, not a seat


@dataclass(frozen=True, slots=True)
class HoldDetails:
    token: str
    event_id: int
    held_until: datetime
    max_until: datetime
    seats: list[HeldSeat]


def event_details(event_id: int, now: datetime | None = None) -> EventDetails:
    """One event with its counts and price list; Event.DoesNotExist if unknown."""
    now = now or timezone.now()
    summary = next(iter(_summaries(events_with_counts(now).filter(pk=event_id))), None)
    if summary is None:
        raise Event.DoesNotExist(f"no event {event_id}")
    checkout_url = Event.objects.values_list("checkout_url", flat=True).get(pk=event_id)
    return EventDetails(
        summary=summary,
        checkout_url=checkout_url,
        categories=categories_of(event_id),
        standing=standing_counts(event_id, now),
    )


def hold_details(hold: Hold, now: datetime | None = None) -> HoldDetails:
    """The hold's running seats with their prices, as of `now`, in plan order."""
    now = now or timezone.now()
    rows = (
        Seat.objects.filter(hold=hold)
        .held_at(now)
        .values_list(
            "id",
            "label",
            "category__code",
            "category__price",
            "category__currency",
            "area",
            "section",
            "row",
            "number",
        )
    )
    listed = [_ListedSeat(r[0], r[1], r[6], r[7], r[8], r[2:6]) for r in rows]
    ordered = ordering.in_plan_order(listed, row_ranks_of(hold.event_id))
    return HoldDetails(
        token=hold.token,
        event_id=hold.event_id,
        held_until=hold.expires_at,
        max_until=hold.max_expires_at,
        seats=[HeldSeat(s.id, s.label, *s.extra) for s in ordered],
    )


@dataclass(frozen=True, slots=True)
class _ListedSeat:
    """Enough of a seat to place it in a list (`seats.ordering`)."""

    id: int
    label: str
    section: str
    row: str
    number: int
    extra: tuple[Any, ...] = ()


def row_ranks_of(event_id: int) -> dict[ordering.RowKey, int]:
    """The event's rows front to back (`seats.ordering`), in one aggregate read."""
    depths = (
        Seat.objects.filter(event_id=event_id)
        .order_by()
        .values_list("section", "row")
        .annotate(depth=Avg("y"))
    )
    return ordering.rank_rows({(sec, row): d for sec, row, d in depths})


def seat_ids_in_plan_order(event_id: int, seat_ids: Iterable[int]) -> list[int]:
    """The event's `seat_ids` in plan order; ids of seats gone (a cancelled
    booking's seat removed by a new plan) last, in the order given."""
    wanted = list(dict.fromkeys(seat_ids))
    rows = Seat.objects.filter(event_id=event_id, id__in=wanted).values_list(
        "id", "label", "section", "row", "number"
    )
    found = ordering.in_plan_order(
        (_ListedSeat(*r) for r in rows), row_ranks_of(event_id)
    )
    placed = [s.id for s in found]
    gone = set(wanted) - set(placed)
    return placed + [i for i in wanted if i in gone]
