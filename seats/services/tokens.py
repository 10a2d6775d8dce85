"""Holds addressed by their token: how the shop's backend acts for a customer.

A hold token is a capability: whoever presents it acts as the hold's
holder, on that hold's event only, for as long as the hold runs. The token
is looked up first (to find the holder), then checked again by the service
under the hold's row lock, so a token whose hold ended meanwhile (and whose
holder started another) acts on nothing. A hold
made through the API gets a holder of its own (`a_…`); a browser's hold
keeps its session's holder, so a token handed over from the seat map and
the browser act on the very same hold. The sales channels a shop may
sell from are its API key's (`channels`), whoever's hold it adds to.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TypedDict

from django.utils import timezone

from seats.errors import HoldNotFound
from seats.holders import new_holder_id
from seats.models import Hold, Seat
from seats.services.bookings import BookingResult, Customer, book_seats
from seats.services.extending import extend_hold
from seats.services.hold_parts import HoldResult
from seats.services.hold_rows import chosen_times
from seats.services.holds import hold_best, hold_seats
from seats.services.places import Places
from seats.services.releases import Released
from seats.services.releases import release as release_seats_of


def new_api_holder() -> str:
    return new_holder_id("a")


def running_hold(token: str, now: datetime | None = None) -> Hold:
    """The running hold with this token, or HoldNotFound.

    A hold past its time is not found, whether or not the sweeper has run:
    the token died with it.
    """
    now = now or timezone.now()
    if not token or "\x00" in token:
        raise HoldNotFound()  # no token has one; PostgreSQL would refuse it
    hold = Hold.objects.running_at(now).filter(token=token).first()
    if hold is None or not Seat.objects.filter(hold=hold).held_at(now).exists():
        raise HoldNotFound()
    return hold


class Acting(TypedDict):
    """The arguments that make a service act for a token's hold, and only it."""

    event_id: int
    holder: str
    hold_token: str


def _acting(token: str, now: datetime) -> Acting:
    """The token, resolved once: whose hold, on which event. The service
    checks it again under the hold's lock (it may have ended meanwhile)."""
    hold = running_hold(token, now)
    return {"event_id": hold.event_id, "holder": hold.holder, "hold_token": token}


def add_seats(
    token: str,
    seat_ids: Sequence[int],
    now: datetime | None = None,
    *,
    places: Sequence[Places] = (),
    channels: Collection[int] = (),
) -> HoldResult:
    """Add these seats (and standing places) to the hold; the answer carries
    the whole hold."""
    now = now or timezone.now()
    return hold_seats(
        seat_ids=seat_ids,
        now=now,
        details=True,
        places=places,
        channels=channels,
        **_acting(token, now),
    )


def add_best(
    token: str,
    *,
    count: int,
    category: str | None = None,
    accessible: bool = False,
    now: datetime | None = None,
    channels: Collection[int] = (),
) -> HoldResult:
    """Add the best `count` seats to the hold; the answer carries the whole hold."""
    now = now or timezone.now()
    return hold_best(
        count=count,
        category=category,
        accessible=accessible,
        now=now,
        details=True,
        channels=channels,
        **_acting(token, now),
    )


def extend(
    token: str, now: datetime | None = None, *, expires_in_minutes: int | None = None
) -> HoldResult:
    """Extend the hold as the seat map does, or (`expires_in_minutes`) re-time
    it: a length outside the allowed minutes is refused before the token is
    even looked up, so a bad request changes nothing whatever the token."""
    now = now or timezone.now()
    if expires_in_minutes is not None:
        chosen_times(now, expires_in_minutes)
    return extend_hold(
        now=now,
        details=True,
        expires_in_minutes=expires_in_minutes,
        **_acting(token, now),
    )


def release(
    token: str, seat_ids: Sequence[int] | None = None, now: datetime | None = None
) -> Released:
    """Release some seats of the hold (the seat rules apply), or all of them
    (always allowed, like a browser leaving: a shop abandoning a checkout
    must not be kept holding by the single-seat rule). The answer says what
    is left of the hold."""
    now = now or timezone.now()
    return release_seats_of(
        seat_ids=seat_ids or None, now=now, details=True, **_acting(token, now)
    )


def book(
    token: str,
    *,
    customer: Customer,
    seat_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> BookingResult:
    """Book some seats of the hold, or (no ids) all of them."""
    now = now or timezone.now()
    hold = running_hold(token, now)
    wanted = list(seat_ids) if seat_ids else held_seat_ids(hold, now)
    return book_seats(
        event_id=hold.event_id,
        holder=hold.holder,
        seat_ids=wanted,
        customer=customer,
        now=now,
        hold_token=token,
    )


def held_seat_ids(hold: Hold, now: datetime) -> list[int]:
    return list(
        Seat.objects.filter(hold=hold)
        .held_at(now)
        .order_by("pk")
        .values_list("id", flat=True)
    )
