"""Venues built in code: an event with a grid of seats in two price categories
(tests, benchmarks and `seed_demo --rows`); plans come from plans.store."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from seats.models import Event
from seats.services.seating import NewCategory, PlacedSeat, create_event


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
    seats = []
    for r in range(rows):
        row = _row_name(r)
        for n in range(1, seats_per_row + 1):
            seats.append(
                PlacedSeat(
                    key=f"{row}{n}",
                    section=section,
                    row=row,
                    number=n,
                    label=f"{row}{n}",
                    x=n - 1,
                    y=r,
                    run=f"{section}/{row}",
                    run_position=n - 1,
                    category="premium" if r < premium_rows else "standard",
                )
            )
    return create_event(
        name=name,
        starts_at=timezone.now().replace(microsecond=0) + timedelta(days=30),
        avoid_single_seats=avoid_single_seats,
        categories=[
            NewCategory("premium", "Premium", Decimal("60.00")),
            NewCategory("standard", "Standard", Decimal("40.00")),
        ],
        seats=seats,
    )


def _row_name(index: int) -> str:
    """A, B, ... Z, AA, AB, ... like theatre rows."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(ord("A") + rem) + name
    return name
