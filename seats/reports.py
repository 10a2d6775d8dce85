"""Staff reads: selections of seats, one seat's history, the sales report and
the bookings export (api/staff.py, the box office and the dashboard).

Every status is computed at `now` by the rule in `seats.models.status_of`,
as in `seats.selectors`, so the report always agrees with the map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from seats import ordering
from seats.models import Activity, Booking, Event, PriceCategory, Seat, SeatStatus
from seats.selectors import event_version


def seats_in(
    *, event_id: int, section: str | None = None, row: str | None = None
) -> list[int]:
    """The ids of a zone's seats, or a row's (within `section` if given).

    Raises Event.DoesNotExist for unknown events; an unknown zone or row
    is simply no seats.
    """
    Event.objects.only("id").get(pk=event_id)
    seats = Seat.objects.filter(event_id=event_id)
    if section is not None:
        seats = seats.filter(section=section)
    if row is not None:
        seats = seats.filter(row=row)
    return list(seats.order_by("pk").values_list("id", flat=True))


@dataclass(frozen=True, slots=True)
class SeatHistoryEntry:
    at: datetime
    kind: str
    version: int
    holder: str
    staff: str
    note: str


@dataclass(frozen=True, slots=True)
class SeatHistory:
    seat_id: int
    label: str
    status: SeatStatus
    blocked_reason: str
    booking: str | None  # the reference of the booking it is in now
    entries: list[SeatHistoryEntry]  # newest first


def seat_history(
    *, event_id: int, seat_id: int, now: datetime | None = None
) -> SeatHistory:
    """Every state change of one seat, from the activity log; raises
    Seat.DoesNotExist for a seat not of this event."""
    now = now or timezone.now()
    seat = Seat.objects.select_related("booking").get(pk=seat_id, event_id=event_id)
    rows = (
        Activity.objects.filter(event_id=event_id, seat_id=seat_id)
        .order_by("-version", "-id")
        .values_list("at", "kind", "version", "holder", "staff", "note")
    )
    return SeatHistory(
        seat_id=seat.id,
        label=seat.label,
        status=seat.status_at(now),
        blocked_reason=seat.blocked_reason,
        booking=seat.booking.reference if seat.booking else None,
        entries=[SeatHistoryEntry(*row) for row in rows],
    )


@dataclass(frozen=True, slots=True)
class CategoryReport:
    code: str
    name: str
    price: Decimal
    currency: str
    counts: dict[str, int]  # by SeatStatus value
    revenue: Decimal  # booked seats at the category's price


@dataclass(frozen=True, slots=True)
class EventReport:
    event_id: int
    version: int
    at: datetime
    categories: list[CategoryReport]
    totals: dict[str, int]
    revenue: Decimal


def event_report(*, event_id: int, now: datetime | None = None) -> EventReport:
    """Seats by category and status, and revenue, at `now`; by the one
    status rule, so it agrees with the map. Raises Event.DoesNotExist."""
    now = now or timezone.now()
    version = event_version(event_id)
    counted = (
        Seat.objects.filter(event_id=event_id)
        .with_status(now)
        .values_list("category_id", "status")  # type: ignore[misc]  # annotated
        .annotate(n=Count("id"))
        .order_by()
    )
    per: dict[int, dict[str, int]] = {}
    for category_id, status, n in counted:
        per.setdefault(category_id, {})[status] = n
    statuses = [s.value for s in SeatStatus]
    categories = []
    for cat in PriceCategory.objects.filter(event_id=event_id).order_by("price", "id"):
        counts = {s: per.get(cat.id, {}).get(s, 0) for s in statuses}
        revenue = cat.price * counts[SeatStatus.BOOKED.value]
        categories.append(
            CategoryReport(cat.code, cat.name, cat.price, cat.currency, counts, revenue)
        )
    totals = {s: sum(c.counts[s] for c in categories) for s in statuses}
    return EventReport(
        event_id=event_id,
        version=version,
        at=now,
        categories=categories,
        totals=totals,
        revenue=sum((c.revenue for c in categories), Decimal(0)),
    )


@dataclass(frozen=True, slots=True)
class _ReportSeat:
    id: int
    label: str
    section: str
    row: str
    number: int
    y: float
    category_id: int
    booking_id: int | None


@dataclass(frozen=True, slots=True)
class BookingLine:
    reference: str
    created_at: datetime
    channel: str
    customer_name: str
    customer_email: str
    seats: list[tuple[str, str, Decimal]]  # label, category code, price
    cancelled_at: datetime | None
    sold_by: str
    payment_note: str


def bookings_of(event_id: int, reference: str | None = None) -> list[BookingLine]:
    """Every booking of the event (or the one with `reference`), oldest
    first, with the seats it holds now (a cancelled booking: the seats it
    was sold with, from its record)."""
    prices = {
        cat.id: (cat.code, cat.price)
        for cat in PriceCategory.objects.filter(event_id=event_id)
    }
    seat_rows = [
        _ReportSeat(*row)
        for row in Seat.objects.filter(event_id=event_id).values_list(
            "id", "label", "section", "row", "number", "y", "category_id", "booking_id"
        )
    ]
    by_id = {s.id: s for s in seat_rows}
    # Seats listed in plan order (docs/best-available.md), ids as a last resort.
    place = {
        s.id: i
        for i, s in enumerate(
            ordering.in_plan_order(seat_rows, ordering.row_ranks(seat_rows))
        )
    }
    current: dict[int, list[int]] = {}
    for seat in seat_rows:
        if seat.booking_id is not None:
            current.setdefault(seat.booking_id, []).append(seat.id)
    lines = []
    bookings = Booking.objects.filter(event_id=event_id).order_by("created_at", "id")
    if reference is not None:
        bookings = bookings.filter(reference=reference)
    for booking in bookings:
        ids = current.get(booking.id) or [s["id"] for s in booking.seat_list]
        seats = []
        for sid in sorted(ids, key=lambda i: (place.get(i, len(place)), i)):
            found = by_id.get(sid)
            label, category = (found.label, found.category_id) if found else ("?", 0)
            code, price = prices.get(category, ("", Decimal(0)))
            seats.append((label, code, price))
        lines.append(
            BookingLine(
                reference=booking.reference,
                created_at=booking.created_at,
                channel=booking.channel,
                customer_name=booking.customer_name,
                customer_email=booking.customer_email,
                seats=seats,
                cancelled_at=booking.cancelled_at,
                sold_by=booking.sold_by,
                payment_note=booking.payment_note,
            )
        )
    return lines
