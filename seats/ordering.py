"""Plan order: the one order seats are listed in for people.

Sections and rows front to back, seats by number in natural order
(docs/best-available.md). A row's place is the mean `y` of its seats (y grows
towards the back), so a curved row is placed by its middle; a section comes
where its frontmost row comes, and its rows stay together. The browser's
twin is frontend/static/frontend/seatmap/order.js: change both together.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Protocol, TypeVar

_DIGITS = re.compile(r"(\d+)")

RowKey = tuple[str, str]


class Listed(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def section(self) -> str: ...
    @property
    def row(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def label(self) -> str: ...


class Placed(Listed, Protocol):
    @property
    def y(self) -> float: ...


S = TypeVar("S", bound=Listed)


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Compares "2" before "10" and "A2" before "A10"; case-blind for letters."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in _DIGITS.split(text)
        if part
    )


def row_ranks(seats: Iterable[Placed]) -> dict[RowKey, int]:
    """(section, row) -> its place front to back, 0 the front; from every seat
    of the event, whatever its status."""
    ys: dict[RowKey, list[float]] = defaultdict(list)
    for seat in seats:
        ys[(seat.section, seat.row)].append(seat.y)
    return rank_rows({key: sum(v) / len(v) for key, v in ys.items()})


def rank_rows(depths: Mapping[RowKey, float]) -> dict[RowKey, int]:
    """(section, row) -> its place, from each row's mean `y` (`depths`)."""
    section_depth: dict[str, float] = {}
    for (section, _), d in depths.items():
        section_depth[section] = min(d, section_depth.get(section, d))
    ordered = sorted(
        depths,
        key=lambda k: (
            section_depth[k[0]],
            natural_key(k[0]),
            depths[k],
            natural_key(k[1]),
        ),
    )
    return {key: i for i, key in enumerate(ordered)}


def in_plan_order(seats: Iterable[S], ranks: Mapping[RowKey, int]) -> list[S]:
    """`seats` in plan order; rows missing from `ranks` come last, by name."""
    last = len(ranks)

    def key(seat: S) -> tuple[object, ...]:
        return (
            ranks.get((seat.section, seat.row), last),
            natural_key(seat.section),
            natural_key(seat.row),
            seat.number,
            natural_key(seat.label),
            seat.id,
        )

    return sorted(seats, key=key)
