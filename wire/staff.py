"""The staff endpoints' JSON documents (api/staff.py).

Their contract is docs/staff.schema.json (HTTP only, never on a socket), so
they live apart from the protocol's frames; `wire.frames.dumps` encodes them.
"""

from __future__ import annotations

from typing import Any

from seats.models import Booking
from seats.reports import EventReport, SeatHistory
from seats.services import BookingResult
from seats.services.staff import KeptHold
from seats.timefmt import iso
from seats.waiting.services import RoomStats


def done(kind: str, seat_ids: list[int]) -> dict[str, Any]:
    """What a block, unblock or release-now changed (empty: nothing to do)."""
    return {"type": kind, "seat_ids": list(seat_ids)}


def sold(result: BookingResult, confirmation_url: str) -> dict[str, Any]:
    return {
        "type": "sold",
        "booking": result.reference,
        "seat_ids": list(result.seat_ids),
        "confirmation_url": confirmation_url,
    }


def kept(hold: KeptHold) -> dict[str, Any]:
    """Seats kept for a named person (the hold's token stays on the server)."""
    return {
        "type": "kept",
        "seat_ids": list(hold.seat_ids),
        "held_for": hold.held_for,
        "until": iso(hold.until),
        "holder": hold.holder,
    }


def cancelled(booking: Booking) -> dict[str, Any]:
    return {
        "type": "cancelled",
        "booking": booking.reference,
        "cancelled": booking.is_cancelled,
        "seat_ids": sorted(booking.seats.values_list("id", flat=True)),
    }


def seat_history(history: SeatHistory) -> dict[str, Any]:
    return {
        "type": "seat_history",
        "seat": {
            "id": history.seat_id,
            "label": history.label,
            "status": history.status.value,
            "blocked_reason": history.blocked_reason or None,
            "booking": history.booking,
        },
        "entries": [
            {
                "at": iso(e.at),
                "kind": e.kind,
                "version": e.version,
                "holder": e.holder or None,
                "staff": e.staff or None,
                "note": e.note or None,
            }
            for e in history.entries
        ],
    }


def event_report(report: EventReport) -> dict[str, Any]:
    return {
        "type": "event_report",
        "event": report.event_id,
        "version": report.version,
        "at": iso(report.at),
        "categories": [
            {
                "code": c.code,
                "name": c.name,
                "price": str(c.price),
                "currency": c.currency,
                "counts": c.counts,
                "revenue": f"{c.revenue:.2f}",
            }
            for c in report.categories
        ],
        "totals": report.totals,
        "revenue": f"{report.revenue:.2f}",
    }


def waiting_room(event_id: int, stats: RoomStats | None) -> dict[str, Any]:
    """A waiting room's settings and figures; `room: null` when it has none."""
    if stats is None:
        return {"type": "waiting_room", "event": event_id, "room": None}
    return {
        "type": "waiting_room",
        "event": event_id,
        "room": {
            "enabled": stats.enabled,
            "paused": stats.paused,
            "opens_at": iso(stats.opens_at),
            "rate_per_minute": stats.rate_per_minute,
            "max_admitted": stats.max_admitted,
            "shopping_seconds": stats.shopping_seconds,
            "waiting": stats.waiting,
            "admitted": stats.admitted,
            "median_wait_seconds": stats.median_wait_seconds,
        },
    }
