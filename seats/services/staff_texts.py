"""What staff read when a staff change is refused, and lengths as they say them."""

from __future__ import annotations

from datetime import datetime, timedelta

from seats.errors import BadRequest
from seats.models import Seat


def required_text(value: str, what: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise BadRequest(f"Give {what}.")
    if len(text) > limit:
        raise BadRequest(f"Keep {what} to {limit} characters.")
    return text


def seats_phrase(seats: list[Seat]) -> str:
    labels = ", ".join(s.label for s in seats)
    return f"Seat {labels} is" if len(seats) == 1 else f"Seats {labels} are"


def held_message(held: list[Seat], now: datetime) -> str:
    parts = []
    for seat in held:
        assert seat.held_until is not None
        left = int((seat.held_until - now).total_seconds())
        parts.append(f"{seat.label} for another {left // 60}:{left % 60:02d}")
    return "Held by a customer: " + ", ".join(parts) + ". Release the hold first."


def span_text(length: timedelta) -> str:
    """A length as staff read it: "7 days", "2 hours", "90 minutes"."""
    seconds = int(length.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}" + ("s" if count != 1 else "")
    return f"{seconds} seconds"
