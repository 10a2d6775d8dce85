"""Seat status: derived from a seat's row at a moment, never stored."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q


class SeatStatus(models.TextChoices):
    """What a seat is at a given moment; derived from its row, never stored.

    New statuses are added here, in `status_of` and in `status_q`, and
    nowhere else.
    """

    AVAILABLE = "available"
    HELD = "held"
    BOOKED = "booked"
    BLOCKED = "blocked"  # out of sale by staff (house seats, a broken seat)


def status_of(
    *,
    booking_id: int | None,
    held_until: datetime | None,
    now: datetime,
    blocked: bool = False,
) -> SeatStatus:
    """The one rule: booked beats blocked beats held, and a hold counts only
    until its time. (A blocked seat has neither a hold nor a booking: the
    seat's check constraint says so; the order is for safety.)"""
    if booking_id is not None:
        return SeatStatus.BOOKED
    if blocked:
        return SeatStatus.BLOCKED
    if held_until is not None and held_until > now:
        return SeatStatus.HELD
    return SeatStatus.AVAILABLE


def status_q(status: SeatStatus, now: datetime, *, via: str = "") -> Q:
    """`status_of` as SQL: seats (reached through the relation `via`) in `status`."""
    booked = Q(**{f"{via}booking__isnull": False})
    blocked = Q(**{f"{via}booking__isnull": True, f"{via}blocked": True})
    held = Q(
        **{
            f"{via}booking__isnull": True,
            f"{via}blocked": False,
            f"{via}held_until__gt": now,
        }
    )
    if status is SeatStatus.BOOKED:
        return booked
    if status is SeatStatus.BLOCKED:
        return blocked
    if status is SeatStatus.HELD:
        return held
    return ~booked & ~blocked & ~held
