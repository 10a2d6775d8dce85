"""Which seats sit side by side: rows cut into runs at their aisles.

Two seats are neighbours when they follow each other in their row's order
and are not further apart than an aisle. The rules that care about
neighbours (best available, no stranded single seats) read runs, never
coordinates, so a curved row works like a straight one.
"""

from __future__ import annotations

import math
from statistics import median

from plans.document import PlanSeat, Row

# A step this many times the row's usual seat spacing is an aisle.
AISLE_FACTOR = 1.6


def runs_of(row: Row) -> list[list[PlanSeat]]:
    """The row's seats in order, cut wherever the gap to the next is an aisle."""
    seats = list(row.seats)
    if len(seats) < 2:
        return [seats] if seats else []
    steps = [_distance(a, b) for a, b in zip(seats, seats[1:], strict=False)]
    usual = median(steps)
    runs = [[seats[0]]]
    for seat, step in zip(seats[1:], steps, strict=True):
        if usual > 0 and step > usual * AISLE_FACTOR:
            runs.append([seat])
        else:
            runs[-1].append(seat)
    return runs


def _distance(a: PlanSeat, b: PlanSeat) -> float:
    return math.hypot(b.x - a.x, b.y - a.y)
