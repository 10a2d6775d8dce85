"""A small club for the standing-area and table tests: a standing floor, a row
of seats and two tables (one sold whole, one seat by seat)."""

from __future__ import annotations

from decimal import Decimal

from plans.document import (
    Area,
    Category,
    Plan,
    PlanSeat,
    Row,
    StandingArea,
    Table,
    Zone,
)
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
    tables = (
        Table("t1", "Table 1", 4, "balcony", 60.0, 300.0, radius=20.0),
        Table(
            "t2",
            "Table 2",
            6,
            "balcony",
            200.0,
            300.0,
            shape="rectangle",
            width=90.0,
            height=30.0,
            booking="seats",
        ),
    )
    return Plan(
        "Club",
        (Category("standing", "Standing"), Category("balcony", "Balcony")),
        (
            Zone("Floor", (), standing=(floor,)),
            Zone("Balcony", (row,), tables=tables),
        ),
        width=500.0,
        height=360.0,
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
    """The balcony row's seats (not the places, not the tables')."""
    return list(
        Seat.objects.filter(event=event, area="", table="")
        .order_by("pk")
        .values_list("id", flat=True)
    )


def table_seat_ids(event: Event, table: str) -> list[int]:
    return list(
        Seat.objects.filter(event=event, table=table)
        .order_by("number")
        .values_list("id", flat=True)
    )
