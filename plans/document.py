"""A seating plan in memory: what every importer produces and every exporter reads.

The plan is the venue, not an event: no seat state lives here. Positions are
absolute plan coordinates (floats, y growing downwards, like SVG and pretix);
importers of formats with relative positions (pretix: seat within row within
zone) add them up. A seat's `key` is its stable identity across versions of
the plan (pretix's `seat_guid`); events copy seats by key, so re-importing a
plan keeps every event's seat ids and state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

AreaShape = Literal["polygon", "rectangle", "ellipse", "circle", "text"]


@dataclass(frozen=True)
class Category:
    """A price level: `code` is its slug (pretix: the category's `name`)."""

    code: str
    name: str
    color: str = ""


@dataclass(frozen=True)
class PlanSeat:
    key: str  # unique in the plan (pretix seat_guid)
    number: str  # as printed on the seat, e.g. "12"
    x: float
    y: float
    category: str  # a Category.code of the plan
    label: str = ""  # human-readable text, e.g. "Row A, Seat 12"; derived if empty
    wheelchair: bool = False  # a wheelchair space
    companion_of: str | None = None  # key of the wheelchair space it goes with
    restricted_view: bool = False
    note: str = ""
    uuid: str = ""  # kept for a lossless pretix round trip


@dataclass(frozen=True)
class Row:
    name: str  # pretix row_number, e.g. "A"
    seats: tuple[PlanSeat, ...]
    label: str = ""  # pretix row_label: how the row is named in text, e.g. "Row A"
    seat_label: str = ""  # pretix seat_label template, %s = seat number
    uuid: str = ""


@dataclass(frozen=True)
class Area:
    """Something drawn, never sold: a stage, a bar, a label, a standing area.

    Coordinates are absolute. `points` for polygons (absolute); `width` and
    `height` for rectangles; `rx`/`ry` for ellipses; `radius` for circles;
    `text`/`text_size`/`text_color` for text (any shape may carry a caption).
    """

    shape: AreaShape
    x: float
    y: float
    color: str = ""
    border_color: str = ""
    rotation: float = 0.0
    points: tuple[tuple[float, float], ...] = ()
    width: float = 0.0
    height: float = 0.0
    rx: float = 0.0
    ry: float = 0.0
    radius: float = 0.0
    text: str = ""
    text_size: float = 16.0
    text_color: str = ""
    uuid: str = ""


@dataclass(frozen=True)
class StandingArea:
    """A standing (general admission) area: `capacity` places, one price.

    Sold by quantity, never by place: an event gets one seat row per place
    (keys `<key>#1` ... `<key>#<capacity>`), so a place is held, expires
    and is booked exactly like a seat. `outline` is what the map draws.
    """

    key: str  # unique among the plan's standing areas; no "#"
    name: str
    capacity: int
    category: str  # a Category.code of the plan
    outline: Area


TableShape = Literal["round", "rectangle"]
TableBooking = Literal["whole", "seats"]


@dataclass(frozen=True)
class Table:
    """A table with `seats` seats around it, sold whole or seat by seat.

    Its seats are laid out by the plan (`table_seats`), keyed `<key>-<n>`
    and labelled `<name>-<n>`, numbered clockwise from the top; `booking`
    "whole" means one click holds the table and no request may take or
    free part of it.
    """

    key: str  # unique among the plan's seats' and tables' keys
    name: str  # e.g. "Table 3"
    seats: int
    category: str  # a Category.code of the plan: every seat's price
    x: float  # the table's centre
    y: float
    shape: TableShape = "round"
    radius: float = 0.0  # round
    width: float = 0.0  # rectangle
    height: float = 0.0
    booking: TableBooking = "whole"
    color: str = ""


@dataclass(frozen=True)
class Zone:
    name: str
    rows: tuple[Row, ...]
    areas: tuple[Area, ...] = ()
    standing: tuple[StandingArea, ...] = ()
    tables: tuple[Table, ...] = ()
    x: float = 0.0  # the zone's origin (pretix zone position); seats are absolute
    y: float = 0.0
    zone_id: str = ""
    uuid: str = ""


@dataclass(frozen=True)
class Plan:
    name: str
    categories: tuple[Category, ...]
    zones: tuple[Zone, ...]
    width: float = 0.0
    height: float = 0.0

    def seats(self) -> list[tuple[Zone, Row, PlanSeat]]:
        """Every seat with its zone and row, in plan order."""
        return [(z, r, s) for z in self.zones for r in z.rows for s in r.seats]

    def tables(self) -> list[tuple[Zone, Table]]:
        """Every table with its zone, in plan order."""
        return [(z, t) for z in self.zones for t in z.tables]

    def standing(self) -> list[tuple[Zone, StandingArea]]:
        """Every standing area with its zone, in plan order."""
        return [(z, a) for z in self.zones for a in z.standing]

    def places(self) -> int:
        """Seats, table seats and standing places: the rows an event of this
        plan gets."""
        return (
            len(self.seats())
            + sum(t.seats for _, t in self.tables())
            + sum(a.capacity for _, a in self.standing())
        )


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or odd) in a file: where, and what.

    `where` is a JSON path (`$.zones[0].rows[3].seats[7].category`) or a CSV
    position (`line 12, column category`).
    """

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class PlanRejected(Exception):
    """The file cannot be imported; nothing was. Carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


@dataclass
class Imported:
    """A plan read from a file, and what was odd but harmless in it."""

    plan: Plan
    warnings: list[Problem] = field(default_factory=list)


def area_record(area: Area) -> dict[str, Any]:
    """The area as stored with a plan and sent in snapshots (`plan.areas`).

    Only the fields its shape uses, and optional ones only when set, so the
    snapshot stays small: see docs/protocol.md.
    """
    record: dict[str, Any] = {"shape": area.shape, "x": area.x, "y": area.y}
    shape_fields = {
        "polygon": ("points",),
        "rectangle": ("width", "height"),
        "ellipse": ("rx", "ry"),
        "circle": ("radius",),
        "text": (),
    }[area.shape]
    for name in shape_fields:
        value = getattr(area, name)
        record[name] = [list(p) for p in value] if name == "points" else value
    for name in ("color", "border_color", "text", "text_color"):
        if getattr(area, name):
            record[name] = getattr(area, name)
    if area.rotation:
        record["rotation"] = area.rotation
    if area.text and area.text_size != 16.0:
        record["text_size"] = area.text_size
    return record


def standing_record(zone: Zone, area: StandingArea) -> dict[str, Any]:
    """The standing area as stored with a plan and sent in snapshots
    (`plan.standing`, docs/protocol.md): what the map draws and counts."""
    return {
        "key": area.key,
        "name": area.name,
        "section": zone.name,
        "capacity": area.capacity,
        "category": area.category,
        "outline": area_record(area.outline),
    }


def place_key(area_key: str, number: int) -> str:
    """The seat key of place `number` (from 1) of a standing area."""
    return f"{area_key}#{number}"


# Room between a table's edge and the centres of its seats, in plan units.
TABLE_SEAT_GAP = 14.0


def table_seats(table: Table) -> list[tuple[str, int, float, float]]:
    """(key, number, x, y) of each seat at the table, clockwise from the top.

    Round: evenly on a circle around the edge. Rectangle: along the two long
    sides, the top side first (left to right), then the bottom (right to
    left), so the numbers run clockwise.
    """
    seats: list[tuple[str, int, float, float]] = []
    n = table.seats
    if table.shape == "round":
        ring = table.radius + TABLE_SEAT_GAP
        for i in range(n):
            angle = 2 * math.pi * i / n
            x = table.x + ring * math.sin(angle)
            y = table.y - ring * math.cos(angle)
            seats.append((f"{table.key}-{i + 1}", i + 1, round(x, 2), round(y, 2)))
        return seats
    top = (n + 1) // 2
    bottom = n - top
    for side, count, y in (
        (0, top, table.y - table.height / 2 - TABLE_SEAT_GAP),
        (1, bottom, table.y + table.height / 2 + TABLE_SEAT_GAP),
    ):
        for i in range(count):
            offset = (i + 0.5) / count - 0.5
            x = table.x + table.width * (offset if side == 0 else -offset)
            number = len(seats) + 1
            seats.append((f"{table.key}-{number}", number, round(x, 2), round(y, 2)))
    return seats


def table_record(zone: Zone, table: Table) -> dict[str, Any]:
    """The table as stored with a plan and sent in snapshots (`plan.tables`)."""
    record: dict[str, Any] = {
        "key": table.key,
        "name": table.name,
        "section": zone.name,
        "seats": table.seats,
        "category": table.category,
        "booking": table.booking,
        "shape": table.shape,
        "x": table.x,
        "y": table.y,
    }
    if table.shape == "round":
        record["radius"] = table.radius
    else:
        record["width"], record["height"] = table.width, table.height
    if table.color:
        record["color"] = table.color
    return record
