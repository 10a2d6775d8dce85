"""Building venues: an event with a grid of seats in price categories."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from seats.models import Event, PriceCategory, Seat
from seats.statistics import analyze_seats_on_commit


def create_venue(
    *,
    name: str,
    rows: int,
    seats_per_row: int,
    premium_rows: int = 3,
    section: str = "Stalls",
    avoid_single_seats: bool = True,
) -> Event:
    """An event with `rows` x `seats_per_row` seats; the front rows are premium.

    `avoid_single_seats`: refuse holds and releases that would leave one
    free seat between taken ones (seats.rules).
    """
    with transaction.atomic():
        event = Event.objects.create(
            name=name,
            starts_at=timezone.now().replace(microsecond=0) + timedelta(days=30),
            avoid_single_seats=avoid_single_seats,
        )
        premium = PriceCategory.objects.create(
            event=event, code="premium", name="Premium", price=Decimal("60.00")
        )
        standard = PriceCategory.objects.create(
            event=event, code="standard", name="Standard", price=Decimal("40.00")
        )
        seats = []
        for r in range(rows):
            row = _row_name(r)
            for n in range(1, seats_per_row + 1):
                seats.append(
                    Seat(
                        event=event,
                        section=section,
                        row=row,
                        number=n,
                        key=f"{row}{n}",
                        label=f"{row}{n}",
                        x=n - 1,
                        y=r,
                        run=f"{section}/{row}",
                        run_position=n - 1,
                        category=premium if r < premium_rows else standard,
                    )
                )
        Seat.objects.bulk_create(seats, batch_size=500)
        analyze_seats_on_commit()
    return event


def _row_name(index: int) -> str:
    """A, B, ... Z, AA, AB, ... like theatre rows."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(ord("A") + rem) + name
    return name
