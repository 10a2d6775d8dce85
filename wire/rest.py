"""The REST API's answers (api/v1), built from the domain's plain data.

Their shapes are the API's ninja schemas (api/v1/schemas.py), from which
docs/openapi.json is generated; these functions fill them. A booking is also
what the `booking.*` webhooks carry (wire.webhooks). Times are ISO 8601 in
UTC with milliseconds, prices decimal strings, as everywhere on the wire.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from seats.details import EventDetails, HoldDetails
from seats.models import BookedSeat, Booking
from seats.selectors import EventSummary
from seats.timefmt import iso
from wire import frames
from wire.shapes import LayoutRef


def event(summary: EventSummary) -> dict[str, Any]:
    return {
        "id": summary.id,
        "name": summary.name,
        "starts_at": iso(summary.starts_at),
        "version": summary.version,
        "seats": {
            "total": summary.total,
            "available": summary.available,
            "held": summary.held,
            "booked": summary.booked,
            "blocked": summary.blocked,
        },
    }


def event_list(summaries: Iterable[EventSummary]) -> dict[str, Any]:
    return {"events": [event(s) for s in summaries]}


def event_detail(details: EventDetails, layout: LayoutRef) -> dict[str, Any]:
    return {
        **event(details.summary),
        "checkout_url": details.checkout_url or None,
        "categories": [frames.category(c) for c in details.categories],
        "layout": layout,
        "standing": [
            {
                "key": a.key,
                "name": a.name,
                "category": a.category,
                "capacity": a.capacity,
                "available": a.available,
                "held": a.held,
                "booked": a.booked,
                "blocked": a.blocked,
                "kept": a.kept,
            }
            for a in details.standing
        ],
    }


def hold(details: HoldDetails) -> dict[str, Any]:
    return {
        "token": details.token,
        "event_id": details.event_id,
        "held_until": iso(details.held_until),
        "max_until": iso(details.max_until),
        "seats": [
            {
                "id": s.id,
                "label": s.label,
                "category": s.category,
                "price": str(s.price),
                "currency": s.currency,
                "area": s.area or None,
            }
            for s in details.seats
        ],
    }


def released(seat_ids: list[int], left: HoldDetails | None) -> dict[str, Any]:
    """What a release did, and what is left of the hold (None: it ended)."""
    return {"released": seat_ids, "hold": hold(left) if left is not None else None}


def booking(booking: Booking, seat_order: Sequence[int] = ()) -> dict[str, Any]:
    """A booking as the REST API and the `booking.*` webhooks show it.

    Its seats in `seat_order` (seat ids; the REST API passes plan order,
    `seats.ordering`), else as the booking recorded them.
    """
    return {
        "reference": booking.reference,
        "event_id": booking.event_id,
        "status": "cancelled" if booking.is_cancelled else "confirmed",
        "external_reference": booking.external_reference,
        "customer": {"name": booking.customer_name, "email": booking.customer_email},
        "seats": [
            booked_seat(seat)
            for seat in _ordered(list(booking.booked_seats.all()), seat_order)
        ],
        "hold_token": booking.hold_token or None,
        "created_at": iso(booking.created_at),
        "cancelled_at": iso(booking.cancelled_at),
    }


def _ordered(seats: list[BookedSeat], seat_order: Sequence[int]) -> list[BookedSeat]:
    """Seats named in `seat_order` in that order, any others after them."""
    place = {seat_id: i for i, seat_id in enumerate(seat_order)}
    return sorted(seats, key=lambda s: place.get(s.seat_id or 0, len(place)))


def booked_seat(seat: BookedSeat) -> dict[str, Any]:
    """One seat the booking ever had: cancelled ones stay, marked."""
    return {
        "id": seat.seat_id,
        "label": seat.label,
        "status": "cancelled" if seat.is_cancelled else "booked",
        "section": seat.section,
        "row": seat.row,
        "number": seat.number,
        "category": seat.category_code,
        "price": str(seat.price),
        "currency": seat.currency,
        "cancelled_at": iso(seat.cancelled_at),
        "refunded": str(seat.refunded) if seat.refunded is not None else None,
    }


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    seat_ids: Iterable[int] = (),
    **extra: Any,
) -> dict[str, Any]:
    """An RFC 9457 problem: `code` is the stable code (the socket's, where
    there is one), `seat_ids` the seats concerned."""
    return {
        "type": f"urn:seats:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "seat_ids": sorted(set(seat_ids)),
        **extra,
    }
