"""Seat rules: who sits next to whom, as pure functions (no database).

Neighbours: seats are side by side when they share a `run` (a row between
aisles, in the plan's order, however the row curves) and their
`run_position`s are consecutive. Coordinates never decide adjacency.

No stranded single seats: a free seat whose two neighbours are both taken
(held or booked) is *stranded*, and almost impossible to sell. A request
may not strand a seat that was not stranded before it; seats stranded
already, by others, never block anybody. A seat at either end of a run has
one neighbour and is never stranded.

Companion seats: a companion seat belongs to one wheelchair space and is
held only together with it. A holder's companion seat whose space they do
not hold is *unpaired*; a request may not leave one unpaired that was not
unpaired before it.

The services check both under lock; the picker uses the same functions to
choose what it offers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence, Set
from typing import TypeVar

T = TypeVar("T")


def runs(seats: Iterable[tuple[str, int, T]]) -> list[list[T]]:
    """(run, run_position, item) triples grouped into runs of neighbours, in order.

    A gap in positions breaks a run (a seat left out of the plan is not a
    neighbour); a seat with no run (empty name) has no neighbours.
    """
    by_run: dict[str, list[tuple[int, T]]] = defaultdict(list)
    alone: list[list[T]] = []
    for run, position, item in seats:
        if run:
            by_run[run].append((position, item))
        else:
            alone.append([item])
    found: list[list[T]] = []
    for name in sorted(by_run):
        placed = sorted(by_run[name], key=lambda pair: pair[0])
        current = [placed[0][1]]
        for (previous, _), (position, item) in zip(placed, placed[1:], strict=False):
            if position == previous + 1:
                current.append(item)
            else:
                found.append(current)
                current = [item]
        found.append(current)
    return found + alone


def stranded(run: Sequence[int], taken: Collection[int]) -> list[int]:
    """The free seats of `run` (ids in run order) between two taken neighbours."""
    return [
        run[i]
        for i in range(1, len(run) - 1)
        if run[i] not in taken and run[i - 1] in taken and run[i + 1] in taken
    ]


def newly_stranded(
    seat_runs: Iterable[Sequence[int]],
    *,
    taken_before: Collection[int],
    taken_after: Collection[int],
) -> list[int]:
    """Seats stranded once `taken_before` becomes `taken_after`, but not before.

    Pass the runs of every seat the request takes or frees; ids come back in
    run order.
    """
    found: list[int] = []
    for run in seat_runs:
        before = set(stranded(run, taken_before))
        found.extend(s for s in stranded(run, taken_after) if s not in before)
    return found


def unpaired(companion_of: Mapping[int, int], held: Set[int]) -> set[int]:
    """Companion seats in `held` whose wheelchair space is not in `held`."""
    return {c for c, space in companion_of.items() if c in held and space not in held}


def newly_unpaired(
    companion_of: Mapping[int, int], *, held_before: Set[int], held_after: Set[int]
) -> list[int]:
    """Companion seats a request leaves without their space (ids, sorted).

    `companion_of` maps companion seat -> its wheelchair space, for the
    companions the request touches or whose space it touches; `held_*` are
    the holder's running seats before and after the request.
    """
    before = unpaired(companion_of, held_before)
    return sorted(unpaired(companion_of, held_after) - before)
