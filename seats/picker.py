"""Best available: choosing N neighbouring free seats, or an accessible group.

Pure functions over a seat layout, no database: the service reads the layout,
asks for a choice and then holds it all or nothing like any click.

Seats are neighbours as `seats.rules` says: the same run, consecutive run
positions. "Best" is measured from a focal point (`seats.focal`: the middle
of the stage's front edge, or the seats' front centre), as docs/best-available.md
explains. Among all blocks of N neighbouring free seats (of the requested
category), the best one:

1. strands no single free seat between taken ones (`seats.rules`): with the
   event's rule on, a block that would is never chosen; with it off, it is
   chosen only if no other block exists;
2. is in the best category (`rank` 0: the most expensive) among its seats'
   worst;
3. is in the row nearest the focal point (a row's depth is its nearest
   seat's distance, taken or not, so a curved row's ends do not make it a
   front row twice);
4. has its seats nearest the focal point (smallest mean distance): the
   centre of the row;
5. ties go to the leftmost block, so the answer is deterministic.

Seats kept for a sales channel the holder has not unlocked (`kept`) are
never offered. Wheelchair spaces and companion seats are left to the
accessible choice (`best_accessible`): one free wheelchair space and N - 1
of its free companion seats, ranked the same way by the space's place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import dist

from seats import rules
from seats.focal import Point, front_centre


@dataclass(frozen=True, slots=True)
class LayoutSeat:
    id: int
    run: str
    run_position: int
    x: float
    y: float
    category: str
    free: bool
    wheelchair: bool = False
    companion_of: int | None = None  # the wheelchair space it goes with
    rank: int = 0  # the category's: 0 is the best (the most expensive)
    section: str = ""
    row: str = ""  # empty: the run is the row
    # Kept for a sales channel the holder has not unlocked: never offered,
    # yet free as far as the single-seat rule goes.
    kept: bool = False

    @property
    def row_key(self) -> tuple[str, str]:
        return (self.section, self.row) if self.row else ("", self.run)


def best_block(
    seats: Iterable[LayoutSeat],
    count: int,
    *,
    category: str | None = None,
    avoid_single_seats: bool = True,
    focal: Point | None = None,
) -> list[int] | None:
    """The ids of the best block of `count` neighbouring free seats, or None."""
    seats = list(seats)
    if count < 1 or not seats:
        return None
    focal = focal or front_centre(seats)
    depth = _row_depths(seats, focal)
    best: tuple[object, ...] | None = None
    best_ids: list[int] | None = None
    for run in _runs(seats):
        for start in range(len(run) - count + 1):
            block = run[start : start + count]
            if not all(_offered(s, category) for s in block):
                continue
            strands = _block_strands(run, start, count)
            if strands and avoid_single_seats:
                continue
            score = (
                strands,
                max(s.rank for s in block),
                depth[block[0].row_key],
                sum(dist((s.x, s.y), focal) for s in block) / count,
                min(s.x for s in block),
                block[0].id,
            )
            if best is None or score < best:
                best, best_ids = score, [s.id for s in block]
    return best_ids


def best_accessible(
    seats: Iterable[LayoutSeat],
    count: int,
    *,
    category: str | None = None,
    avoid_single_seats: bool = True,
    focal: Point | None = None,
) -> list[int] | None:
    """A free wheelchair space and `count - 1` of its free companions, or None.

    The space comes first, then its companions nearest it in its run. Spaces
    rank like blocks (strands nothing, category, row, focal distance, left);
    among one space's companions the nearest win.
    """
    seats = list(seats)
    if count < 1 or not seats:
        return None
    focal = focal or front_centre(seats)
    depth = _row_depths(seats, focal)
    seat_runs = _runs(seats)
    run_of = {
        s.id: (i, j) for i, run in enumerate(seat_runs) for j, s in enumerate(run)
    }
    companions: dict[int, list[LayoutSeat]] = defaultdict(list)
    for seat in seats:
        if seat.companion_of is not None and _free_in(seat, category):
            companions[seat.companion_of].append(seat)
    best: tuple[object, ...] | None = None
    best_ids: list[int] | None = None
    for space in seats:
        if not (space.wheelchair and _free_in(space, category)):
            continue

        def distance(seat: LayoutSeat, space: LayoutSeat = space) -> int:
            (run, here), (space_run, there) = run_of[seat.id], run_of[space.id]
            return abs(here - there) if run == space_run else len(seats)

        mates = sorted(companions[space.id], key=lambda s: (distance(s), s.id))
        for group in combinations(mates, count - 1):
            chosen = [space, *group]
            strands = _group_strands(seat_runs, run_of, chosen)
            if strands and avoid_single_seats:
                continue
            score = (
                strands,
                max(s.rank for s in chosen),
                depth[space.row_key],
                dist((space.x, space.y), focal),
                space.x,
                sum(distance(s) for s in group),
                space.id,
            )
            if best is None or score < best:
                best, best_ids = score, [s.id for s in chosen]
    return best_ids


def _offered(seat: LayoutSeat, category: str | None) -> bool:
    """Free, of the category, and not kept for the accessible choice."""
    return (
        _free_in(seat, category) and not seat.wheelchair and seat.companion_of is None
    )


def _free_in(seat: LayoutSeat, category: str | None) -> bool:
    """Free, on sale to this holder, of the category."""
    return (
        seat.free and not seat.kept and (category is None or seat.category == category)
    )


def _row_depths(
    seats: Sequence[LayoutSeat], focal: Point
) -> dict[tuple[str, str], float]:
    """Each row's distance from the focal point: its nearest seat's, free or not."""
    depths: dict[tuple[str, str], float] = {}
    for seat in seats:
        d = dist((seat.x, seat.y), focal)
        key = seat.row_key
        if key not in depths or d < depths[key]:
            depths[key] = d
    return depths


def _runs(seats: Sequence[LayoutSeat]) -> list[list[LayoutSeat]]:
    return rules.runs((s.run, s.run_position, s) for s in seats)


def _block_strands(run: list[LayoutSeat], start: int, count: int) -> bool:
    """Would taking run[start:start+count] strand a seat (`seats.rules`)?

    Only the seats next to the block can become stranded, and whether they
    are depends on one seat further out: a window of two either side says.
    """
    window = run[max(0, start - 2) : start + count + 2]
    taken = {s.id for s in window if not s.free}
    block = {s.id for s in run[start : start + count]}
    return bool(
        rules.newly_stranded(
            [[s.id for s in window]], taken_before=taken, taken_after=taken | block
        )
    )


def _group_strands(
    seat_runs: list[list[LayoutSeat]],
    run_of: dict[int, tuple[int, int]],
    chosen: list[LayoutSeat],
) -> bool:
    """Would taking `chosen` (anywhere, not necessarily together) strand a seat?"""
    touched = [seat_runs[i] for i in sorted({run_of[s.id][0] for s in chosen})]
    taken = {s.id for run in touched for s in run if not s.free}
    return bool(
        rules.newly_stranded(
            [[s.id for s in run] for run in touched],
            taken_before=taken,
            taken_after=taken | {s.id for s in chosen},
        )
    )
