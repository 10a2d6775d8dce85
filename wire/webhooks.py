"""Webhook bodies, in the Standard Webhooks shape `{type, timestamp, data}`.

The schema every body must match is docs/webhooks.schema.json; the tests
check each body sent against it. Holder ids are the real ones (the bodies
go only to the operator's own endpoints), and so are hold tokens: a shop
matches a `seats.expired` to its checkout by the token. A booking is the
same document the REST API answers with (`wire.rest.booking`).
"""

from __future__ import annotations

from typing import Any

from seats.outbox.messages import BookingMessage, Message, SeatsMessage
from seats.timefmt import iso
from wire import rest


def body(message: Message) -> dict[str, Any]:
    """The whole body of `message`: what the outbox stores and every attempt sends."""
    data = seats_data(message) if isinstance(message, SeatsMessage) else None
    if isinstance(message, BookingMessage):
        data = booking_data(message)
    assert data is not None
    return {"type": message.type, "timestamp": iso(message.at), "data": data}


def seats_data(message: SeatsMessage) -> dict[str, Any]:
    return {
        "event_id": message.event_id,
        "version": message.version,
        "holder": message.holder,
        "hold_token": message.hold_token or None,
        "seats": [
            {
                "id": seat.id,
                "label": seat.label,
                "status": str(seat.status),
                "held_until": iso(seat.held_until),
            }
            for seat in message.seats
        ],
    }


def booking_data(message: BookingMessage) -> dict[str, Any]:
    return {
        "event_id": message.booking.event_id,
        "version": message.version,
        "booking": rest.booking(message.booking),
    }
