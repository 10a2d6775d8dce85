"""Events, seats, holds, bookings and the activity log.

A seat's status is derived, never stored: booked when it has a booking,
blocked when staff took it out of sale, held when its `held_until` lies in the
future, available otherwise. A hold whose
time has passed is therefore free in every read and every check, whether or
not the sweeper has tidied it up yet.
"""

from __future__ import annotations

from seats.models.activity import Activity, ServingProcess
from seats.models.bookings import BookedSeat, Booking
from seats.models.channels import (
    SalesChannel,
    SalesChannelQuerySet,
    channel_active,
    channel_active_q,
)
from seats.models.holds import Hold, HoldQuerySet
from seats.models.seat import Seat, SeatQuerySet
from seats.models.status import SeatStatus, status_of, status_q
from seats.models.venues import BuyerDetails, Event, PriceCategory, SeatingPlan

# Webhook endpoints and the outbox, and the waiting room, live in their own
# modules; imported here so Django finds them as models of this app.
from seats.outbox.models import WebhookDelivery, WebhookEndpoint
from seats.waiting.models import Place, WaitingRoom

__all__ = [
    "Activity",
    "BookedSeat",
    "Booking",
    "BuyerDetails",
    "Event",
    "Hold",
    "HoldQuerySet",
    "PriceCategory",
    "SalesChannel",
    "SalesChannelQuerySet",
    "Seat",
    "SeatQuerySet",
    "SeatStatus",
    "SeatingPlan",
    "ServingProcess",
    "channel_active",
    "channel_active_q",
    "status_of",
    "status_q",
    "Place",
    "WaitingRoom",
    "WebhookDelivery",
    "WebhookEndpoint",
]
