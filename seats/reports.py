"""Staff reads: selections of seats, one seat's history, the sales report and
the bookings export (api/staff.py, the box office and the dashboard).

Every status is computed at `now` by the rule in `seats.models.status_of`,
as in `seats.selectors`, so the report always agrees with the map.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from seats import ordering
from seats.models import (
    Activity,
    BookedSeat,
    Booking,
    Event,
    Hold,
    PriceCategory,
    Seat,
    SeatStatus,
)
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
class SoldSeat:
    """One seat of a booking as sold, and whether it was cancelled since."""

    seat_id: int | None
    label: str
    section: str
    row: str
    number: int | None
    category_code: str
    category_name: str
    price: Decimal
    currency: str
    cancelled_at: datetime | None
    refunded: Decimal | None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


@dataclass(frozen=True, slots=True)
class BookingLine:
    reference: str
    created_at: datetime
    channel: str
    customer_name: str
    customer_email: str
    # label, category code, price: the seats it holds now (a cancelled
    # booking: every seat it was sold with), as the export always showed.
    seats: list[tuple[str, str, Decimal]]
    cancelled_at: datetime | None
    sold_by: str
    payment_note: str
    # Every seat it was ever sold, in sale order, the cancelled ones marked.
    sold: list[SoldSeat]

    @property
    def cancelled_seats(self) -> list[SoldSeat]:
        return [s for s in self.sold if s.is_cancelled]

    @property
    def refunded(self) -> Decimal:
        return sum((s.refunded or Decimal(0) for s in self.sold), Decimal(0))


def sold_seats(event_id: int, reference: str | None) -> dict[int, list[SoldSeat]]:
    """The booked seats of the event's bookings (or of the one with
    `reference`), by booking, in sale order. Filtered by a join, not a list
    of booking ids: an event's thousands of bookings would each be a bound
    value."""
    found = BookedSeat.objects.filter(booking__event_id=event_id)
    if reference is not None:
        found = found.filter(booking__reference=reference)
    rows = list(found.order_by("booking_id", "id"))
    per: dict[int, list[SoldSeat]] = {}
    for row, seat in zip(rows, sold_seats_from(rows), strict=True):
        per.setdefault(row.booking_id, []).append(seat)
    return per


def in_plan_order(
    seats: list[SoldSeat], ranks: dict[ordering.RowKey, int]
) -> list[SoldSeat]:
    """A booking's seats as sold, in plan order (`ranks` from the event's
    seats; a row since removed from the plan comes last, by name)."""
    last = len(ranks)

    def key(seat: SoldSeat) -> tuple[object, ...]:
        return (
            ranks.get((seat.section, seat.row), last),
            ordering.natural_key(seat.section),
            ordering.natural_key(seat.row),
            seat.number if seat.number is not None else 0,
            ordering.natural_key(seat.label),
            seat.seat_id or 0,
        )

    return sorted(seats, key=key)


def sold_seats_from(rows: Iterable[BookedSeat]) -> list[SoldSeat]:
    return [
        SoldSeat(
            seat_id=row.seat_id,
            label=row.label,
            section=row.section,
            row=row.row,
            number=row.number,
            category_code=row.category_code,
            category_name=row.category_name,
            price=row.price,
            currency=row.currency,
            cancelled_at=row.cancelled_at,
            refunded=row.refunded,
        )
        for row in rows
    ]


def bookings_of(event_id: int, reference: str | None = None) -> list[BookingLine]:
    """Every booking of the event (or the one with `reference`), oldest
    first: its seats now (a cancelled booking: the seats it was sold with)
    and every seat it ever had, as sold, the cancelled ones marked; seats in
    plan order (docs/best-available.md)."""
    found = Booking.objects.filter(event_id=event_id).order_by("created_at", "id")
    if reference is not None:
        found = found.filter(reference=reference)
    bookings = list(found)
    per = sold_seats(event_id, reference)
    ranks = ordering.row_ranks(
        Seat.objects.filter(event_id=event_id).only("id", "section", "row", "y")
    )
    lines = []
    for booking in bookings:
        sold = in_plan_order(per.get(booking.id, []), ranks)
        kept = [s for s in sold if not s.is_cancelled] or sold
        lines.append(
            BookingLine(
                reference=booking.reference,
                created_at=booking.created_at,
                channel=booking.channel,
                customer_name=booking.customer_name,
                customer_email=booking.customer_email,
                seats=[(s.label, s.category_code, s.price) for s in kept],
                cancelled_at=booking.cancelled_at,
                sold_by=booking.sold_by,
                payment_note=booking.payment_note,
                sold=sold,
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class Ticket:
    """One booked seat as the buyer shows it at the door."""

    reference: str
    event_name: str
    starts_at: datetime
    buyer_name: str
    seat: SoldSeat


def ticket(*, reference: str, seat_id: int) -> Ticket:
    """The ticket for one seat still booked in the booking; raises
    BookedSeat.DoesNotExist for a seat not in it or cancelled out of it
    (a cancelled seat has no ticket: it may be sold again)."""
    row = BookedSeat.objects.select_related("booking__event").get(
        booking__reference=reference, seat_id=seat_id, cancelled_at__isnull=True
    )
    booking = row.booking
    [seat] = sold_seats_from([row])
    return Ticket(
        reference=booking.reference,
        event_name=booking.event.name,
        starts_at=booking.event.starts_at,
        buyer_name=booking.customer_name,
        seat=seat,
    )


@dataclass(frozen=True, slots=True)
class FoundBooking:
    reference: str
    event_name: str
    starts_at: datetime
    customer_name: str
    customer_email: str
    created_at: datetime
    cancelled_at: datetime | None


MAX_FOUND = 50


def find_bookings(query: str) -> list[FoundBooking]:
    """Bookings whose reference is `query` (any case, `BK-` optional) or
    whose buyer's name contains it; newest first, at most MAX_FOUND."""
    text = query.strip().replace("\x00", "")
    if not text:
        return []
    reference = text.upper()
    if not reference.startswith("BK-"):
        reference = "BK-" + reference
    found = (
        Booking.objects.filter(
            Q(reference=reference) | Q(customer_name__icontains=text)
        )
        .select_related("event")
        .order_by("-created_at", "-id")[:MAX_FOUND]
    )
    return [
        FoundBooking(
            reference=b.reference,
            event_name=b.event.name,
            starts_at=b.event.starts_at,
            customer_name=b.customer_name,
            customer_email=b.customer_email,
            created_at=b.created_at,
            cancelled_at=b.cancelled_at,
        )
        for b in found
    ]


@dataclass(frozen=True, slots=True)
class FoundHold:
    """Seats the box office keeps for someone, as the lookup lists them."""

    event_id: int
    event_name: str
    starts_at: datetime
    held_for: str
    holder: str
    until: datetime
    seat_labels: list[str]


def find_kept_holds(query: str, now: datetime | None = None) -> list[FoundHold]:
    """Running holds the box office keeps for someone whose name contains
    `query`; soonest to end first, at most MAX_FOUND. A hold past its time
    is not listed, whether or not the sweeper has run."""
    now = now or timezone.now()
    text = query.strip().replace("\x00", "")
    if not text:
        return []
    holds = (
        Hold.objects.running_at(now)
        .filter(held_for__icontains=text)
        .select_related("event")
        .prefetch_related("seats")
        .order_by("expires_at", "id")[:MAX_FOUND]
    )
    found = []
    for hold in holds:
        held = [s for s in hold.seats.all() if s.status_at(now) is SeatStatus.HELD]
        if held:
            seats = ordering.in_plan_order(held, ordering.row_ranks(held))
            found.append(
                FoundHold(
                    event_id=hold.event_id,
                    event_name=hold.event.name,
                    starts_at=hold.event.starts_at,
                    held_for=hold.held_for,
                    holder=hold.holder,
                    until=hold.expires_at,
                    seat_labels=[s.label for s in seats],
                )
            )
    return found
