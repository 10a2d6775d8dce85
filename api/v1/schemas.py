"""Request and answer shapes: the OpenAPI document is generated from these.

Answers are built from the domain's results by `wire.rest`, and each route
states which of these shapes it returns, so the document says the same.
Times are ISO 8601 in UTC; prices are decimal strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import model_validator

from seats.services.places import Places

# The most seats one request may name; the per-holder limit is checked by
# the services (and is usually far lower).
MAX_SEAT_IDS = 1000
# Seat ids are database ids: positive 64-bit integers (as on the socket).
SeatId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# Text without NUL characters (PostgreSQL refuses them in text columns).
NO_NUL = r"^[^\x00]*$"


class Problem(Schema):
    """RFC 9457 problem details; `code` is the stable error code."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    seat_ids: list[int]


class SeatCounts(Schema):
    total: int
    available: int
    held: int
    booked: int
    blocked: int  # out of sale by staff (docs/staff.md)


class EventOut(Schema):
    id: int
    name: str
    starts_at: datetime
    version: int = Field(description="Bumped by one with every seat change.")
    seats: SeatCounts


class EventList(Schema):
    events: list[EventOut]


class CategoryOut(Schema):
    code: str
    name: str
    price: str = Field(description="Decimal, e.g. '45.00'.")
    currency: str
    color: str


class LayoutOut(Schema):
    """The event's layout document: every seat's place, label and flags."""

    version: int
    digest: str = Field(description="Names the document's content; it never changes.")
    url: str = Field(description="GET it (no key needed); cached for a year.")


class StandingOut(Schema):
    """A standing area and its places now (a lapsed hold's are available)."""

    key: str = Field(description="Names the area in `places` of a hold.")
    name: str
    category: str = Field(description="The category every place is priced in.")
    capacity: int
    available: int
    held: int
    booked: int
    blocked: int
    kept: int = Field(
        description=(
            "Of the available places, those kept for an active sales channel: "
            "only holds made with the channel's key take them."
        )
    )


class EventDetailOut(EventOut):
    checkout_url: str | None = Field(
        description="Where 'Continue to checkout' sends the browser; null if none."
    )
    categories: list[CategoryOut]
    layout: LayoutOut
    standing: list[StandingOut] = Field(
        description="The standing areas (empty when the plan has none)."
    )


class BestSeats(Schema):
    """Let the server pick neighbouring seats (as the map's 'best available')."""

    count: int = Field(ge=1, le=MAX_SEAT_IDS)
    category: str | None = Field(default=None, max_length=40, pattern=NO_NUL)
    accessible: bool = Field(
        default=False,
        description="A wheelchair space and count-1 of its companion seats.",
    )


class Body(Schema):
    """A request body: a JSON object, whatever its fields."""

    @model_validator(mode="before")
    @classmethod
    def an_object(cls, data: object) -> object:
        # ninja reads any value's attributes (a bare 5 would pass as {}, every
        # field left out): a body that is not an object must not act as an
        # empty one (a release without seat_ids releases the whole hold).
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("The body must be a JSON object.")
        return data


class PlacesWanted(Schema):
    """Places of a standing area, chosen by the server."""

    area: str = Field(
        min_length=1, max_length=30, pattern=NO_NUL, description="The area's key."
    )
    quantity: int = Field(ge=1, le=MAX_SEAT_IDS)


class SeatsWanted(Body):
    """`best` alone, or `seat_ids` and/or `places` (held together, all or nothing)."""

    seat_ids: list[SeatId] | None = Field(
        default=None, min_length=1, max_length=MAX_SEAT_IDS
    )
    best: BestSeats | None = None
    places: list[PlacesWanted] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SEAT_IDS,
        description="Standing places by quantity; each area once.",
    )

    @model_validator(mode="after")
    def one_of(self) -> SeatsWanted:
        chosen = self.seat_ids is not None or self.places is not None
        if chosen == (self.best is not None):
            raise ValueError("Give best, or seat_ids and/or places.")
        if self.places is not None and len({p.area for p in self.places}) != len(
            self.places
        ):
            raise ValueError("Name each standing area once in places.")
        return self

    def wanted_places(self) -> list[Places]:
        return [Places(p.area, p.quantity) for p in self.places or ()]


# A hold length a shop chooses, in whole minutes: JSON integers only (no
# 5.0, "5" or true). The upper bound is the installation's
# (SEAT_API_HOLD_MAX_SECONDS), so the service checks it, not this document.
ExpiresInMinutes = Annotated[
    int,
    Field(
        strict=True,
        ge=1,
        description=(
            "Minutes from now until the hold runs out, 1 to the installation's "
            "cap (SEAT_API_HOLD_MAX_SECONDS: 120 by default). Sets `max_until` "
            "to the cap from now."
        ),
    ),
]


class NewHold(SeatsWanted):
    """`best` alone, or `seat_ids` and/or `places`; optionally the hold's length."""

    expires_in_minutes: ExpiresInMinutes | None = None


class Retime(Body):
    """Re-time the hold instead of extending it by the standard length."""

    expires_in_minutes: ExpiresInMinutes | None = None


# How seat lists are ordered for people (docs/best-available.md).
PLAN_ORDER = (
    "In plan order: rows front to back, seats by number in natural order "
    '("2" before "10").'
)


class HeldSeatOut(Schema):
    id: int
    label: str
    category: str
    price: str
    currency: str
    area: str | None = Field(
        description="On a standing place: its area's key; null on a seat."
    )


class HoldOut(Schema):
    token: str = Field(
        description="The hold's capability: whoever has it acts on this hold."
    )
    event_id: int
    held_until: datetime
    max_until: datetime = Field(
        description=(
            "The latest an extension can reach; for a hold timed with "
            "`expires_in_minutes`, the latest it may be re-timed to."
        )
    )
    seats: list[HeldSeatOut] = Field(description=PLAN_ORDER)


class SeatsToRelease(Body):
    seat_ids: list[SeatId] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SEAT_IDS,
        description="Which seats; leave out to release the whole hold.",
    )


class ReleaseOut(Schema):
    released: list[int]
    hold: HoldOut | None = Field(description="What is left of the hold, if anything.")


class CustomerIn(Schema):
    name: str = Field(default="", max_length=200, pattern=NO_NUL)
    email: str = Field(
        default="", max_length=254, pattern=r"^$|^[^@\s\x00]+@[^@\s\x00]+$"
    )


class BookingIn(Body):
    hold_token: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    seat_ids: list[SeatId] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SEAT_IDS,
        description="Which held seats to book; leave out to book the whole hold.",
    )
    external_reference: str = Field(
        default="",
        max_length=200,
        pattern=NO_NUL,
        description="Your order or payment id.",
    )
    customer: CustomerIn = Field(
        default_factory=CustomerIn,
        description=(
            "The buyer. Where the event requires buyer details, both name and "
            "email (bad_request otherwise); a given email is always checked."
        ),
    )


class BookedSeatOut(Schema):
    id: int
    label: str
    status: Literal["booked", "cancelled"] = Field(
        description="Cancelled seats stay in the booking, free again for sale."
    )
    section: str
    row: str
    number: int | None
    category: str = Field(description="The price category's code, as sold.")
    price: str = Field(description="Decimal, as sold, e.g. '45.00'.")
    currency: str
    cancelled_at: datetime | None
    refunded: str | None = Field(
        description="Decimal: what the cancellation gave back (the price as sold)."
    )


class CustomerOut(Schema):
    name: str
    email: str


class BookingOut(Schema):
    reference: str
    event_id: int
    status: Literal["confirmed", "cancelled"]
    external_reference: str
    customer: CustomerOut
    seats: list[BookedSeatOut] = Field(description=PLAN_ORDER)
    hold_token: str | None
    created_at: datetime
    cancelled_at: datetime | None
