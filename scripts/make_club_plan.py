"""Write the club: plans/club.seats-plan.json, a standing floor, a balcony, tables.

A plan in our own format (docs/plans.md): a stage, a standing floor of 800
(one price, sold by quantity), a seated balcony of three curved rows and
three tables of eight at the back (two sold whole, one seat by seat). Run it
again after changing it; the file is committed.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plans.document import (  # noqa: E402
    Area,
    Category,
    Plan,
    PlanSeat,
    Row,
    StandingArea,
    Table,
    Zone,
)
from plans.native import dump_json, write_native  # noqa: E402

OUT = ROOT / "plans" / "club.seats-plan.json"
WIDTH, HEIGHT = 900.0, 800.0
FLOOR_CAPACITY = 800
BALCONY_ROWS = ("A", "B", "C")
SEATS_PER_ROW = 24


def balcony_row(index: int, name: str) -> Row:
    """A gentle arc, 30 units between seats, centred under the stage."""
    radius = 700.0 + 34.0 * index
    centre_x, centre_y = WIDTH / 2, 560.0 - 700.0
    step = 30.0 / radius
    first = -step * (SEATS_PER_ROW - 1) / 2
    seats = []
    for n in range(1, SEATS_PER_ROW + 1):
        angle = first + step * (n - 1)
        x = centre_x + radius * math.sin(angle)
        y = centre_y + radius * math.cos(angle)
        category = "balcony-front" if index == 0 else "balcony"
        seats.append(PlanSeat(f"{name}{n}", str(n), round(x, 1), round(y, 1), category))
    return Row(name, tuple(seats))


def club() -> Plan:
    stage = Area(
        "rectangle",
        250.0,
        20.0,
        color="#374151",
        width=400.0,
        height=50.0,
        text="STAGE",
        text_color="#ffffff",
    )
    floor = StandingArea(
        key="floor",
        name="Floor",
        capacity=FLOOR_CAPACITY,
        category="standing",
        outline=Area("rectangle", 150.0, 100.0, width=600.0, height=300.0),
    )
    tables = tuple(
        Table(
            f"table-{n}",
            f"Table {n}",
            8,
            "tables",
            250.0 + 200.0 * (n - 1),
            720.0,
            radius=26.0,
            booking="seats" if n == 3 else "whole",
        )
        for n in (1, 2, 3)
    )
    return Plan(
        "Club",
        (
            Category("standing", "Standing", "#2563eb"),
            Category("balcony-front", "Balcony front", "#b8336a"),
            Category("balcony", "Balcony", "#7c3aed"),
            Category("tables", "Tables", "#0f766e"),
        ),
        (
            Zone("Floor", (), areas=(stage,), standing=(floor,)),
            Zone(
                "Balcony",
                tuple(balcony_row(i, name) for i, name in enumerate(BALCONY_ROWS)),
            ),
            Zone("Tables", (), tables=tables),
        ),
        width=WIDTH,
        height=HEIGHT,
    )


if __name__ == "__main__":
    OUT.write_bytes(dump_json(write_native(club())))
    print(f"Wrote {OUT.relative_to(ROOT)}")
