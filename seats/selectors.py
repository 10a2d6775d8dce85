"""Reads that shape JSON for the HTTP API, the WebSocket snapshot and the dashboard.

Every status is computed against `now`: a hold past its time reads as
available here even before the sweeper has run.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from seats.models import Event, Hold, PriceCategory, Seat
from seats.timefmt import iso

_SEAT_FIELDS = (
    "id",
    "label",
    "section",
    "row",
    "number",
    "x",
    "y",
    "category__code",
    "holder",
    "held_until",
    "booking_id",
)


def seat_map(*, event_id: int, viewer: str | None, now: datetime | None = None) -> dict:
    """The `snapshot` message for one event as `viewer` sees it.

    The version is read before the seats, so the seats are at least as new as
    the version: replaying later `seats.changed` messages (absolute states) on
    top converges to the truth. Raises Event.DoesNotExist for unknown ids.
    """
    now = now or timezone.now()
    version = Event.objects.values_list("version", flat=True).get(pk=event_id)
    categories = [
        {"code": c.code, "name": c.name, "price": str(c.price), "currency": c.currency}
        for c in PriceCategory.objects.filter(event_id=event_id)
    ]
    rows = (
        Seat.objects.filter(event_id=event_id).order_by("id").values_list(*_SEAT_FIELDS)
    )
    seats = []
    for (
        sid,
        label,
        section,
        row,
        number,
        x,
        y,
        category,
        holder,
        until,
        booking,
    ) in rows:
        held = booking is None and until is not None and until > now
        seats.append(
            {
                "id": sid,
                "label": label,
                "section": section,
                "row": row,
                "number": number,
                "x": x,
                "y": y,
                "category": category,
                "status": "booked"
                if booking is not None
                else "held"
                if held
                else "available",
                "holder": holder if held else None,
                "held_until": iso(until) if held else None,
            }
        )
    return {
        "type": "snapshot",
        "event": event_id,
        "version": version,
        "you": viewer,
        "server_time": iso(now),
        "hold": own_hold(event_id=event_id, holder=viewer, now=now),
        "categories": categories,
        "seats": seats,
    }


def next_expiry() -> datetime | None:
    """When the next running hold ends (the sweeper aims its next sweep there)."""
    return (
        Seat.objects.filter(hold__isnull=False, held_until__gt=timezone.now())
        .order_by("held_until")
        .values_list("held_until", flat=True)
        .first()
    )


def own_hold(*, event_id: int, holder: str | None, now: datetime) -> dict | None:
    """The holder's running hold on the event, or None."""
    if not holder:
        return None
    hold = (
        Hold.objects.filter(event_id=event_id, holder=holder, expires_at__gt=now)
        .order_by("-expires_at")
        .first()
    )
    if hold is None:
        return None
    seat_ids = list(hold.seats.filter(held_until__gt=now).values_list("id", flat=True))
    if not seat_ids:
        return None
    return {
        "held_until": iso(hold.expires_at),
        "max_until": iso(hold.max_expires_at),
        "seat_ids": sorted(seat_ids),
    }


def events_with_counts(now: datetime | None = None) -> QuerySet[Event]:
    """Events annotated with seat_count, held_count, booked_count, available_count."""
    now = now or timezone.now()
    held = Q(seats__booking__isnull=True, seats__held_until__gt=now)
    return (
        Event.objects.annotate(
            seat_count=Count("seats"),
            booked_count=Count("seats", filter=Q(seats__booking__isnull=False)),
            held_count=Count("seats", filter=held),
        )
        .annotate(available_count=F("seat_count") - F("held_count") - F("booked_count"))
        .order_by("starts_at", "id")
    )


def event_summaries(now: datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    return [
        {
            "id": e.id,
            "name": e.name,
            "starts_at": iso(e.starts_at),
            "version": e.version,
            "total": e.seat_count,
            "available": e.available_count,
            "held": e.held_count,
            "booked": e.booked_count,
        }
        for e in events_with_counts(now)
    ]


def active_holds(now: datetime | None = None, *, limit: int = 500) -> list[dict]:
    """Running holds, soonest to expire first, with their seat labels."""
    now = now or timezone.now()
    holds = (
        Hold.objects.filter(expires_at__gt=now)
        .order_by("expires_at", "id")
        .prefetch_related("seats")[:limit]
    )
    result = []
    for hold in holds:
        seats = sorted(
            (s for s in hold.seats.all() if s.held_until and s.held_until > now),
            key=lambda s: (s.y, s.x, s.id),
        )
        if seats:
            result.append(
                {
                    "id": hold.id,
                    "event": hold.event_id,
                    "holder": hold.holder,
                    "seats": [s.label for s in seats],
                    "expires_at": iso(hold.expires_at),
                }
            )
    return result


def dashboard_state(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "type": "dashboard.state",
        "server_time": iso(now),
        "events": event_summaries(now),
        "holds": active_holds(now),
    }
