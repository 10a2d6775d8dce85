"""The webhook event types: one per kind of seat change, two for bookings."""

from __future__ import annotations

# Seat changes, by Activity kind: "seats.<kind>".
SEAT_TYPES = (
    "seats.held",
    "seats.released",
    "seats.expired",
    "seats.extended",
    "seats.booked",
    "seats.cancelled",
)
BOOKING_CREATED = "booking.created"
BOOKING_CANCELLED = "booking.cancelled"
BOOKING_TYPES = (BOOKING_CREATED, BOOKING_CANCELLED)
ALL_TYPES = SEAT_TYPES + BOOKING_TYPES


def seat_type(reason: str) -> str:
    return f"seats.{reason}"
