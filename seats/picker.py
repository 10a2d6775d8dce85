"""Best available: choosing N adjacent free seats in one row.

Pure functions over a seat layout, no database: the service reads the layout,
asks for a block and then holds it all or nothing like any click.

Seats are adjacent when they share a section and row and their `x` differ by
exactly one (a gap in `x` is an aisle). Among all blocks of N adjacent free
seats (of the requested category), the best one:

1. does not strand a single free seat between taken seats, if any block
   anywhere avoids that (a lone seat is the hardest to sell);
2. is in the row nearest the front (smallest `y`);
3. has its middle nearest the venue's centre line;
4. ties go to the leftmost block, so the answer is deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LayoutSeat:
    id: int
    section: str
    row: str
    x: float
    y: float
    category: str
    free: bool


def best_block(
    seats: Iterable[LayoutSeat], count: int, *, category: str | None = None
) -> list[int] | None:
    """The ids of the best block of `count` adjacent free seats, or None."""
    seats = list(seats)
    if count < 1 or not seats:
        return None
    centre = (min(s.x for s in seats) + max(s.x for s in seats)) / 2
    best: tuple | None = None
    best_ids: list[int] | None = None
    for run in _runs(seats):
        for start in range(len(run) - count + 1):
            block = run[start : start + count]
            if not all(
                s.free and (category is None or s.category == category) for s in block
            ):
                continue
            middle = (block[0].x + block[-1].x) / 2
            score = (
                _strands_a_seat(run, start, count),
                block[0].y,
                abs(middle - centre),
                block[0].x,
            )
            if best is None or score < best:
                best, best_ids = score, [s.id for s in block]
    return best_ids


def _runs(seats: Sequence[LayoutSeat]) -> list[list[LayoutSeat]]:
    """Maximal stretches of physically adjacent seats, row by row."""
    rows: dict[tuple[str, str], list[LayoutSeat]] = defaultdict(list)
    for seat in seats:
        rows[(seat.section, seat.row)].append(seat)
    runs = []
    for row in rows.values():
        row.sort(key=lambda s: s.x)
        run = [row[0]]
        for seat in row[1:]:
            if seat.x == run[-1].x + 1:
                run.append(seat)
            else:
                runs.append(run)
                run = [seat]
        runs.append(run)
    return runs


def _strands_a_seat(run: list[LayoutSeat], start: int, count: int) -> bool:
    """Would taking run[start:start+count] leave one free seat between taken ones?"""
    left, right = start - 1, start + count
    if left >= 1 and run[left].free and not run[left - 1].free:
        return True
    return right + 1 < len(run) and run[right].free and not run[right + 1].free
