"""What one webhook message tells of: a hold's seats in a change, or a booking.

The body sent is rendered from these by the renderer the webhooks app
registers (`writer.render_with`), in the change's own transaction, so the
row holds the very bytes every attempt will send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from seats.models import Booking
from seats.signals import SeatState


@dataclass(frozen=True, slots=True)
class SeatsMessage:
    """`seats.<reason>`: the seats of one hold that one change touched."""

    type: str
    event_id: int
    version: int
    at: datetime
    holder: str
    hold_token: str | None
    seats: tuple[SeatState, ...]


@dataclass(frozen=True, slots=True)
class BookingMessage:
    """`booking.created` or `booking.cancelled`, with the booking as it is now."""

    type: str
    version: int
    at: datetime
    booking: Booking


Message = SeatsMessage | BookingMessage
Renderer = Callable[[Message], dict[str, Any]]
