"""Webhook bodies, in the Standard Webhooks shape `{type, timestamp, data}`.

The schema every body must match is docs/webhooks.schema.json; the tests
check each body sent against it. Holder ids are the real ones (the bodies
go only to the operator's own endpoints), and so are hold tokens: a shop
matches a `seats.expired` to its checkout by the token.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from seats.models import Booking
from seats.signals import SeatState
from seats.timefmt import iso


def envelope(event_type: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "timestamp": iso(at), "data": data}


def seats_data(
    *,
    event_id: int,
    version: int,
    holder: str,
    hold_token: str | None,
    seats: Sequence[SeatState],
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "version": version,
        "holder": holder,
        "hold_token": hold_token or None,
        "seats": [
            {
                "id": seat.id,
                "label": seat.label,
                "status": str(seat.status),
                "held_until": iso(seat.held_until),
            }
            for seat in seats
        ],
    }


def booking_document(booking: Booking) -> dict[str, Any]:
    """A booking as webhooks and the REST API show it."""
    return {
        "reference": booking.reference,
        "event_id": booking.event_id,
        "status": "cancelled" if booking.is_cancelled else "confirmed",
        "external_reference": booking.external_reference,
        "customer": {"name": booking.customer_name, "email": booking.customer_email},
        "seats": [
            {"id": seat["id"], "label": seat["label"]} for seat in booking.seat_list
        ],
        "hold_token": booking.hold_token or None,
        "created_at": iso(booking.created_at),
        "cancelled_at": iso(booking.cancelled_at),
    }


def booking_data(*, version: int, booking: Booking) -> dict[str, Any]:
    return {
        "event_id": booking.event_id,
        "version": version,
        "booking": booking_document(booking),
    }
