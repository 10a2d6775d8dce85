"""A small club for the standing-area tests: a standing floor and a row of seats."""

from __future__ import annotations

from decimal import Decimal

from plans.document import Area, Category, Plan, PlanSeat, Row, StandingArea, Zone
from plans.store import create_event, save_plan
from seats.models import Event, Seat
from tests.conftest import T0

FLOOR = "floor"


def club_plan(capacity: int = 20, *, seats: int = 6) -> Plan:
    """A floor of `capacity` places in front of a balcony row of `seats`."""
    floor = StandingArea(
        key=FLOOR,
        name="Floor",
        capacity=capacity,
        category="standing",
        outline=Area("rectangle", 100.0, 40.0, width=300.0, height=120.0),
    )
    row = Row(
        "A",
        tuple(
            PlanSeat(f"A{n}", str(n), 60.0 + 30.0 * n, 220.0, "balcony")
            for n in range(1, seats + 1)
        ),
    )
    return Plan(
        "Club",
        (Category("standing", "Standing"), Category("balcony", "Balcony")),
        (Zone("Floor", (), standing=(floor,)), Zone("Balcony", (row,))),
        width=500.0,
        height=300.0,
    )


def club_event(capacity: int = 20, *, seats: int = 6) -> Event:
    stored = save_plan(plan=club_plan(capacity, seats=seats))
    return create_event(
        plan=stored,
        name="Club Night",
        starts_at=T0,
        prices={"standing": Decimal("25"), "balcony": Decimal("40")},
        avoid_single_seats=False,
    )


def place_ids(event: Event, area: str = FLOOR) -> list[int]:
    return list(
        Seat.objects.filter(event=event, area=area)
        .order_by("pk")
        .values_list("id", flat=True)
    )


def seat_ids_of(event: Event) -> list[int]:
    return list(
        Seat.objects.filter(event=event, area="")
        .order_by("pk")
        .values_list("id", flat=True)
    )
