"""Write the demo hall: plans/grand-hall.pretix.json and plans/grand-hall.flags.csv.

    python scripts/make_demo_plan.py [OUTPUT_DIR]

The Grand Hall: a stage, eleven curved rows of stalls split in three blocks
by two aisles, a sound desk with a short row behind it, a step-free row of
wheelchair spaces with their companion seats, and a curved balcony. The plan
is in pretix's seating-plan format (positions of seats relative to their
row, of rows and areas relative to their zone); the accessibility flags
pretix has no field for go in the flags CSV. The output is deterministic
(uuids derived from names, coordinates rounded), so the committed files can
be checked against a fresh run byte for byte.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "Grand Hall"
STEM = "grand-hall"
WIDTH, HEIGHT = 1200, 1200
SPACING = 28.0  # between seat centres along a row
AISLE = 72.0  # between the seats either side of an aisle (runs_of cuts at 1.6x)
ROW_DEPTH = 36.0  # between rows
# Rows curve around this point, the front edge of the stage.
CENTRE = (600.0, 60.0)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://seats.invalid/plans/grand-hall")

CATEGORIES = [
    {"name": "Premium", "color": "#8e44ad"},
    {"name": "Standard", "color": "#2980b9"},
    {"name": "Balcony", "color": "#16a085"},
]
SOUND_DESK = (555.0, 738.0, 90.0, 40.0)  # x, y, width, height (absolute)
PILLARS = ((118.0, 880.0), (1082.0, 880.0))  # absolute centres, balcony front


@dataclass
class Seat:
    number: int
    x: float  # absolute
    y: float
    category: str
    wheelchair: bool = False
    companion_of: int | None = None  # the wheelchair space's seat number
    restricted_view: bool = False
    note: str = ""


@dataclass
class Row:
    name: str
    seats: list[Seat] = field(default_factory=list)


def ident(*parts: object) -> str:
    """A stable uuid for one object of the plan."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def r2(value: float) -> float:
    """Two decimals, and no "-0.0"."""
    return round(value, 2) + 0.0


def arc_row(
    name: str, radius: float, blocks: tuple[int, int, int], category: str
) -> Row:
    """Seats on an arc around CENTRE, left to right, with an aisle between blocks."""
    offsets: list[float] = []
    s = 0.0
    for b, count in enumerate(blocks):
        for i in range(count):
            if offsets:
                s += AISLE if (i == 0 and b > 0) else SPACING
            offsets.append(s)
    middle = (offsets[0] + offsets[-1]) / 2
    row = Row(name)
    for number, arc in enumerate(offsets, start=1):
        angle = (arc - middle) / radius
        row.seats.append(
            Seat(
                number=number,
                x=r2(CENTRE[0] + radius * math.sin(angle)),
                y=r2(CENTRE[1] + radius * math.cos(angle)),
                category=category,
            )
        )
    return row


def stalls() -> list[Row]:
    rows = []
    for i in range(11):  # A..K
        side, centre = 5 + i // 3, 10 + i // 2
        category = "Premium" if i < 5 else "Standard"
        radius = 300 + ROW_DEPTH * i
        rows.append(arc_row(chr(ord("A") + i), radius, (side, centre, side), category))
    # Row L sits behind the sound desk: its middle seats look past it.
    behind = arc_row("L", 750.0, (8, 16, 8), "Standard")
    desk_left, _, desk_width, _ = SOUND_DESK
    for seat in behind.seats:
        if desk_left - 10 <= seat.x <= desk_left + desk_width + 10:
            seat.restricted_view = True
            seat.note = "Behind the sound desk"
    rows.append(behind)
    rows.append(accessible_row())
    return rows


def accessible_row() -> Row:
    """Row M, step-free at the back: wheelchair spaces, each with companions.

    Groups of (companion, space, companion) or (space, companion), with room
    between groups: each group is a run of its own.
    """
    groups = (("W", "C"), ("C", "W", "C"), ("C", "W", "C"), ("W", "C"))
    row = Row("M")
    x, y = 390.0, 860.0
    number = 0
    for g, group in enumerate(groups):
        if g:
            x += 90.0
        space = number + 1 + group.index("W")
        for i, kind in enumerate(group):
            if i:
                x += 32.0
            number += 1
            row.seats.append(
                Seat(
                    number=number,
                    x=r2(x),
                    y=y,
                    category="Standard",
                    wheelchair=kind == "W",
                    companion_of=None if kind == "W" else space,
                )
            )
    return row


def balcony() -> list[Row]:
    rows = [
        arc_row(chr(ord("A") + i), 880 + ROW_DEPTH * i, (8, 16 + i // 2, 8), "Balcony")
        for i in range(6)
    ]
    # The front row's outermost seats sit beside the pillars.
    for seat in (*rows[0].seats[:2], *rows[0].seats[-2:]):
        seat.restricted_view = True
        seat.note = "Pillar in the sightline"
    return rows


def rectangle(zone_at, x, y, width, height, color, border, text="", text_color=""):
    area = {
        "shape": "rectangle",
        "color": color,
        "border_color": border,
        "rotation": 0,
        "position": {"x": r2(x - zone_at[0]), "y": r2(y - zone_at[1])},
        "rectangle": {"width": round(width), "height": round(height)},
    }
    if text:
        area["text"] = {
            "text": text,
            "color": text_color,
            "size": 16,
            "position": {"x": r2(width / 2), "y": r2(height / 2)},
        }
    return area


def label(zone_at, x, y, text, size=18, color="#555555"):
    return {
        "shape": "text",
        "color": "",
        "border_color": "",
        "rotation": 0,
        "position": {"x": r2(x - zone_at[0]), "y": r2(y - zone_at[1])},
        "text": {
            "text": text,
            "color": color,
            "size": size,
            "position": {"x": 0, "y": 0},
        },
    }


def circle(zone_at, x, y, radius, color, border):
    return {
        "shape": "circle",
        "color": color,
        "border_color": border,
        "rotation": 0,
        "position": {"x": r2(x - zone_at[0]), "y": r2(y - zone_at[1])},
        "circle": {"radius": radius},
    }


def balcony_front(zone_at, radius: float, half_angle: float) -> dict:
    """The balcony's front rail: a thin band along an arc, as a polygon."""
    steps = 24
    outer = [
        (CENTRE[0] + radius * math.sin(a), CENTRE[1] + radius * math.cos(a))
        for a in (-half_angle + 2 * half_angle * k / steps for k in range(steps + 1))
    ]
    inner = [
        (CENTRE[0] + (radius - 8) * math.sin(a), CENTRE[1] + (radius - 8) * math.cos(a))
        for a in (half_angle - 2 * half_angle * k / steps for k in range(steps + 1))
    ]
    return {
        "shape": "polygon",
        "color": "#d5d8dc",
        "border_color": "#7f8c8d",
        "rotation": 0,
        "position": {"x": 0, "y": 0},
        "polygon": {
            "points": [
                {"x": r2(px - zone_at[0]), "y": r2(py - zone_at[1])}
                for px, py in outer + inner
            ]
        },
    }


def zone(name: str, zone_id: str, at: tuple[float, float], rows: list[Row], areas):
    """A pretix zone: rows placed at their first seat, seats relative to it."""
    out_rows = []
    for row in rows:
        origin = (round(row.seats[0].x), round(row.seats[0].y))
        out_rows.append(
            {
                "row_number": row.name,
                "row_label": f"Row {row.name}",
                "seat_label": f"Row {row.name}, Seat %s",
                "uuid": ident(zone_id, "row", row.name),
                "position": {"x": origin[0] - at[0], "y": origin[1] - at[1]},
                "seats": [
                    {
                        "seat_guid": f"{zone_id}-{row.name}-{seat.number}",
                        "seat_number": str(seat.number),
                        "uuid": ident(zone_id, "seat", row.name, seat.number),
                        "position": {
                            "x": r2(seat.x - origin[0]),
                            "y": r2(seat.y - origin[1]),
                        },
                        "category": seat.category,
                    }
                    for seat in row.seats
                ],
            }
        )
    for i, area in enumerate(areas):
        area["uuid"] = ident(zone_id, "area", i)
    return {
        "name": name,
        "zone_id": zone_id,
        "uuid": ident(zone_id),
        "position": {"x": at[0], "y": at[1]},
        "rows": out_rows,
        "areas": areas,
    }


def flags(zones: list[tuple[str, list[Row]]]) -> str:
    """The flags CSV: one line per seat with anything to say about it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "wheelchair", "companion_of", "restricted_view", "note"])
    for zone_id, rows in zones:
        for row in rows:
            for seat in row.seats:
                if not (seat.wheelchair or seat.companion_of or seat.restricted_view):
                    continue
                writer.writerow(
                    [
                        f"{zone_id}-{row.name}-{seat.number}",
                        "yes" if seat.wheelchair else "",
                        f"{zone_id}-{row.name}-{seat.companion_of}"
                        if seat.companion_of
                        else "",
                        "yes" if seat.restricted_view else "",
                        seat.note,
                    ]
                )
    return out.getvalue()


def build() -> tuple[str, str]:
    """The plan JSON and the flags CSV, as text."""
    stall_rows, balcony_rows = stalls(), balcony()
    stalls_at, balcony_at = (0, 0), (0, 800)
    stalls_areas = [
        rectangle(
            stalls_at, 400, 30, 400, 80, "#f4d03f", "#b7950b", "STAGE", "#333333"
        ),
        rectangle(
            stalls_at, *SOUND_DESK, "#bdc3c7", "#7f8c8d", "Sound desk", "#333333"
        ),
        label(stalls_at, 600, 170, "STALLS"),
        label(stalls_at, 60, 760, "Exit", size=14, color="#27ae60"),
        label(stalls_at, 1140, 760, "Exit", size=14, color="#27ae60"),
    ]
    balcony_areas = [
        balcony_front(balcony_at, 848.0, 0.62),
        *(circle(balcony_at, x, y, 10, "#7f8c8d", "#566573") for x, y in PILLARS),
        label(balcony_at, 600, 1170, "BALCONY"),
    ]
    plan = {
        "name": NAME,
        "categories": CATEGORIES,
        "zones": [
            zone("Stalls", "stalls", stalls_at, stall_rows, stalls_areas),
            zone("Balcony", "balcony", balcony_at, balcony_rows, balcony_areas),
        ],
        "size": {"width": WIDTH, "height": HEIGHT},
    }
    csv_text = flags([("stalls", stall_rows), ("balcony", balcony_rows)])
    return json.dumps(plan, indent=1) + "\n", csv_text


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "plans"
    out.mkdir(parents=True, exist_ok=True)
    plan_text, flags_text = build()
    (out / f"{STEM}.pretix.json").write_text(plan_text, encoding="utf-8")
    (out / f"{STEM}.flags.csv").write_text(flags_text, encoding="utf-8")
    print(f"wrote {out / STEM}.pretix.json and {out / STEM}.flags.csv")


if __name__ == "__main__":
    main(sys.argv)
