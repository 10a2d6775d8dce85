"""Bookings: made from a hold token after the shop's payment; read; cancel."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from api.v1 import auth
from api.v1.schemas import BookingIn, BookingOut, Problem
from seats import details, services
from seats.errors import BookingNotFound
from seats.models import Booking
from seats.services import tokens
from wire import rest

router = Router(tags=["bookings"])


def _document(reference: str) -> dict[str, Any]:
    if "\x00" in reference:  # no reference has one; PostgreSQL would refuse it
        raise BookingNotFound()
    booking = Booking.objects.filter(reference=reference).first()
    if booking is None:
        raise BookingNotFound()
    return _answer(booking)


def _answer(booking: Booking) -> dict[str, Any]:
    """The booking with its seats in plan order (docs/best-available.md)."""
    ids = [seat["id"] for seat in booking.seat_list]
    return rest.booking(booking, details.seat_ids_in_plan_order(booking.event_id, ids))


@router.post(
    "/bookings",
    response={201: BookingOut, 404: Problem, 409: Problem, 422: Problem},
    auth=auth.sell,
    description=(
        "Book the seats of a running hold (all, or `seat_ids`), once the "
        "customer has paid. The seats turn booked on every open seat map."
    ),
)
def create_booking(request: HttpRequest, body: BookingIn) -> Status[dict[str, Any]]:
    result = tokens.book(
        body.hold_token,
        seat_ids=body.seat_ids,
        customer=services.Customer(
            name=body.customer.name,
            email=body.customer.email,
            external_reference=body.external_reference,
        ),
    )
    return Status(201, _answer(result.booking))


@router.get(
    "/bookings/{reference}",
    response={200: BookingOut, 404: Problem},
    auth=auth.read,
)
def get_booking(request: HttpRequest, reference: str) -> dict[str, Any]:
    return _document(reference)


@router.post(
    "/bookings/{reference}/cancel",
    response={200: BookingOut, 404: Problem},
    auth=auth.sell,
    description=(
        "Cancel the booking: its seats are free again at once, live. "
        "Cancelling a cancelled booking changes nothing."
    ),
)
def cancel_booking(request: HttpRequest, reference: str) -> dict[str, Any]:
    return _answer(services.cancel_booking(reference=reference))
