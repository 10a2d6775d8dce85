"""pretix's seating-plan JSON, read and written.

pretix nests positions: a seat's absolute position is zone + row + seat
(pretix's own `SeatingPlan.iter_all_seats` adds them the same way); an
area's position is relative to its zone, and its polygon points and text
position relative to the area, which rotates about its position. The reader
adds these up into the document's absolute coordinates (rounded to 1e-6, so
that writing and reading again gives back the same numbers) and the writer
takes them apart again, with row positions 0.

Reading is lenient where pretix is strict: a field pretix does not define is
a warning, not an error. What pretix cannot carry is lost on export: seat
flags and labels, fractional sizes (pretix wants whole numbers) and standing
areas (their outlines are kept as drawn areas, captioned with their
capacity: pretix sells general admission without a place on the plan).
"""

from __future__ import annotations

import dataclasses
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from plans.checks import Built, JsonLocator, json_path
from plans.document import (
    Area,
    Category,
    Plan,
    PlanRejected,
    PlanSeat,
    Problem,
    Row,
    Zone,
    table_seats,
)
from plans.native import category_codes, number, tidy
from plans.schema_checks import schema_problems

SCHEMA_PATH = Path(__file__).with_name("schemas") / "pretix-plan.schema.json"

LOCATOR = JsonLocator(
    zone_fields={"name": "name"},
    row_fields={"name": "row_number", "label": "row_label", "seat_label": "seat_label"},
    seat_fields={
        "key": "seat_guid",
        "number": "seat_number",
        "x": "position",
        "y": "position",
        "category": "category",
    },
    category_fields={"code": "name", "name": "name"},
)

# Absolute positions are rounded to this many decimals: far below a pixel,
# and enough that (zone + (seat - zone)) always comes back as the seat.
DECIMALS = 6

DEFAULT_TEXT_SIZE = 16


@cache
def schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def validator() -> Draft7Validator:
    return Draft7Validator(schema())


@cache
def seat_validator() -> Draft7Validator:
    definitions = schema()["definitions"]
    return Draft7Validator({"$ref": "#/definitions/seat", "definitions": definitions})


@cache
def seat_fields() -> frozenset[str]:
    return frozenset(schema()["definitions"]["seat"]["properties"])


def quick_seat(seat: Any) -> list[str] | None:
    """The unknown fields of a seat that is otherwise valid; None if unsure.

    Mirrors the seat's schema for the common case (schema_checks.schema_problems);
    anything unusual is left to the schema itself.
    """
    if type(seat) is not dict:
        return None
    if not all(
        type(seat.get(name)) is str for name in ("seat_guid", "seat_number", "category")
    ):
        return None
    if not _is_position(seat.get("position")):
        return None
    if type(seat.get("uuid", "")) is not str:
        return None
    if type(seat.get("start_direction")) not in (str, type(None)):
        return None
    if type(seat.get("radius", 0)) is not int:
        return None
    fields = seat_fields()
    return [name for name in seat if name not in fields]


def _is_position(value: Any) -> bool:
    return (
        type(value) is dict
        and len(value) == 2
        and type(value.get("x")) in (int, float)
        and type(value.get("y")) in (int, float)
    )


def read_pretix(document: Any) -> Built:
    """The plan of a parsed pretix document; unknown fields become warnings."""
    errors, unknown = schema_problems(
        validator(), document, seat_validator=seat_validator(), quick_seat=quick_seat
    )
    if errors:
        raise PlanRejected(errors)
    warnings = [Problem(p.where, "unknown field, ignored") for p in unknown]
    problems: list[Problem] = []
    names = [category["name"] for category in document["categories"]]
    codes = category_codes(names)
    code_of = dict(reversed(list(zip(names, codes, strict=True))))
    categories = tuple(
        Category(code=code, name=c["name"], color=c.get("color", ""))
        for code, c in zip(codes, document["categories"], strict=True)
    )
    zones = []
    for z, zone in enumerate(document["zones"]):
        zones.append(_zone(zone, z, code_of, warnings, problems))
    plan = Plan(
        name=document["name"],
        categories=categories,
        zones=tuple(zones),
        width=float(document["size"]["width"]),
        height=float(document["size"]["height"]),
    )
    return Built(plan=plan, locator=LOCATOR, warnings=warnings, problems=problems)


def _zone(
    zone: dict[str, Any],
    z: int,
    code_of: dict[str, str],
    warnings: list[Problem],
    problems: list[Problem],
) -> Zone:
    zx, zy = _xy(zone["position"])
    rows = []
    for r, row in enumerate(zone["rows"]):
        rx, ry = _xy(row.get("position"))
        seats = []
        for s, seat in enumerate(row["seats"]):
            sx, sy = _xy(seat["position"])
            name = seat["category"]
            if name not in code_of and name in code_of.values():
                # A name that happens to equal another category's code must
                # not pass as that category.
                where = LOCATOR.seat(z, r, s, "category")
                problems.append(Problem(where, f'no category named "{name}"'))
            seats.append(
                PlanSeat(
                    key=seat["seat_guid"],
                    number=seat["seat_number"],
                    x=_absolute(zx + rx + sx),
                    y=_absolute(zy + ry + sy),
                    category=code_of.get(name, name),
                    uuid=seat.get("uuid", ""),
                )
            )
        rows.append(
            Row(
                name=row["row_number"],
                seats=tuple(seats),
                label=row.get("row_label") or "",
                seat_label=row.get("seat_label") or "",
                uuid=row.get("uuid", ""),
            )
        )
    areas = []
    for a, raw in enumerate(zone.get("areas", ())):
        area = _area(raw, zx, zy, json_path(["zones", z, "areas", a]), warnings)
        if area is not None:
            areas.append(area)
    return Zone(
        name=zone.get("name", ""),
        rows=tuple(rows),
        areas=tuple(areas),
        x=zx,
        y=zy,
        zone_id=zone.get("zone_id", ""),
        uuid=zone.get("uuid", ""),
    )


def _area(
    raw: dict[str, Any], zx: float, zy: float, where: str, warnings: list[Problem]
) -> Area | None:
    """The area in absolute coordinates; None (and a warning) if it draws nothing."""
    shape = raw.get("shape")
    if shape is None:
        warnings.append(Problem(where, "an area without a shape, ignored"))
        return None
    if shape not in raw:
        warnings.append(Problem(where, f'a {shape} area without "{shape}", ignored'))
        return None
    ax, ay = _xy(raw.get("position"))
    ox, oy = zx + ax, zy + ay
    rotation = float(raw.get("rotation", 0))
    caption = raw.get("text") or {}
    text = caption.get("text", "")
    fields: dict[str, Any] = {
        "color": raw.get("color", ""),
        "border_color": raw.get("border_color", ""),
        "rotation": rotation,
        "text": text,
        "text_size": float(caption.get("size", DEFAULT_TEXT_SIZE) if text else 16),
        "text_color": caption.get("color", ""),
        "uuid": raw.get("uuid", ""),
    }
    sub = raw[shape]
    if shape == "polygon":
        fields["points"] = tuple(
            (_absolute(ox + px), _absolute(oy + py))
            for px, py in (_xy(p) for p in sub["points"])
        )
    elif shape == "rectangle":
        fields["width"] = float(sub["width"])
        fields["height"] = float(sub["height"])
    elif shape == "ellipse":
        fields["rx"], fields["ry"] = _xy(sub["radius"])
    elif shape == "circle":
        fields["radius"] = float(sub["radius"])
    else:
        # A text is drawn at its own position within the (rotated) area: its
        # anchor in the document is that point, and it keeps the rotation.
        tx, ty = _rotated(_xy(caption.get("position")), rotation)
        ox, oy = ox + tx, oy + ty
    return Area(shape=shape, x=_absolute(ox), y=_absolute(oy), **fields)


def write_pretix(plan: Plan) -> dict[str, Any]:
    """The plan as a pretix document; flags and seat labels are not carried."""
    name_of = {category.code: category.name for category in plan.categories}
    return {
        "name": plan.name,
        "categories": [
            {"name": c.name, **({"color": c.color} if c.color else {})}
            for c in plan.categories
        ],
        "zones": [_zone_record(zone, name_of) for zone in plan.zones],
        "size": {"width": math.ceil(plan.width), "height": math.ceil(plan.height)},
    }


def _zone_record(zone: Zone, name_of: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {"name": zone.name}
    record.update(_ids(zone_id=zone.zone_id, uuid=zone.uuid))
    record["position"] = {"x": number(zone.x), "y": number(zone.y)}
    record["rows"] = [
        {
            "row_number": row.name,
            "row_label": row.label or None,
            "seat_label": row.seat_label or None,
            **_ids(uuid=row.uuid),
            "position": {"x": 0, "y": 0},
            "seats": [
                {
                    "seat_guid": seat.key,
                    "seat_number": seat.number,
                    **_ids(uuid=seat.uuid),
                    "position": _relative(seat.x, seat.y, zone.x, zone.y),
                    "category": name_of.get(seat.category, seat.category),
                }
                for seat in row.seats
            ],
        }
        for row in (*zone.rows, *_table_rows(zone))
    ]
    # pretix has no standing areas: their outlines stay on the drawing, with
    # a caption, and are not sold there.
    drawn = [
        dataclasses.replace(
            area.outline, text=f"{area.name} (standing, {area.capacity})"
        )
        for area in zone.standing
    ]
    record["areas"] = [_area_record(area, zone) for area in (*zone.areas, *drawn)]
    return record


def _table_rows(zone: Zone) -> list[Row]:
    """pretix has no tables: each table's seats as a row named after it."""
    return [
        Row(
            table.name,
            tuple(
                PlanSeat(key, str(number), x, y, table.category)
                for key, number, x, y in table_seats(table)
            ),
        )
        for table in zone.tables
    ]


def _area_record(area: Area, zone: Zone) -> dict[str, Any]:
    record: dict[str, Any] = {"shape": area.shape}
    record.update(_ids(uuid=area.uuid))
    record["position"] = _relative(area.x, area.y, zone.x, zone.y)
    if area.rotation:
        record["rotation"] = number(area.rotation)
    for name in ("color", "border_color"):
        if getattr(area, name):
            record[name] = getattr(area, name)
    if area.shape == "polygon":
        points = [_relative(x, y, area.x, area.y) for x, y in area.points]
        record["polygon"] = {"points": points}
    elif area.shape == "rectangle":
        record["rectangle"] = {"width": round(area.width), "height": round(area.height)}
    elif area.shape == "ellipse":
        record["ellipse"] = {"radius": {"x": number(area.rx), "y": number(area.ry)}}
    elif area.shape == "circle":
        record["circle"] = {"radius": round(area.radius)}
    if area.shape == "text" or area.text:
        caption: dict[str, Any] = {"text": area.text}
        if area.text_color:
            caption["color"] = area.text_color
        if area.text_size != DEFAULT_TEXT_SIZE:
            caption["size"] = round(area.text_size)
        caption["position"] = _caption_position(area, record)
        record["text"] = caption
    return record


def _caption_position(area: Area, record: dict[str, Any]) -> dict[str, Any]:
    """Where, relative to the area, pretix draws its caption: the middle."""
    if area.shape == "rectangle":
        return tidy({"x": area.width / 2, "y": area.height / 2})
    if area.shape == "polygon" and area.points:
        points = record["polygon"]["points"]
        return {
            "x": _round(sum(p["x"] for p in points) / len(points)),
            "y": _round(sum(p["y"] for p in points) / len(points)),
        }
    return {"x": 0, "y": 0}


def _ids(**ids: str) -> dict[str, str]:
    """pretix's optional identifiers, written only when there is one."""
    return {name: value for name, value in ids.items() if value}


def _xy(position: dict[str, Any] | None) -> tuple[float, float]:
    if position is None:
        return 0.0, 0.0
    return float(position["x"]), float(position["y"])


def _rotated(point: tuple[float, float], degrees: float) -> tuple[float, float]:
    """The point turned clockwise about the origin (y grows downwards, as in SVG)."""
    if not degrees:
        return point
    angle = math.radians(degrees)
    x, y = point
    return (
        x * math.cos(angle) - y * math.sin(angle),
        x * math.sin(angle) + y * math.cos(angle),
    )


def _relative(x: float, y: float, ox: float, oy: float) -> dict[str, float | int]:
    return {"x": _round(x - ox), "y": _round(y - oy)}


def _absolute(value: float) -> float:
    return round(value, DECIMALS) if math.isfinite(value) else value


def _round(value: float) -> float | int:
    return number(round(value, DECIMALS)) if math.isfinite(value) else value
