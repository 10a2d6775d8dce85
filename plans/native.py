"""Our own plan format: the document as JSON, flags and all.

The contract is docs/seating-plan.schema.json (strict: an unknown field is an
error). Positions are absolute. Writing then reading gives back an equal
Plan; optional seat fields are written only when set, so that a plan of
100,000 seats stays well under the size limit.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from plans.checks import MAX_CATEGORY_CODE, Built, JsonLocator
from plans.document import (
    Area,
    Category,
    Plan,
    PlanRejected,
    PlanSeat,
    Row,
    StandingArea,
    Table,
    Zone,
    area_record,
)
from plans.schema_checks import schema_problems

FORMAT = "seats-plan"
VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "seating-plan.schema.json"

# Field names are the document's own, so paths name them directly.
LOCATOR = JsonLocator(
    zone_fields={"name": "name"},
    row_fields={"name": "name", "label": "label", "seat_label": "seat_label"},
    seat_fields={
        name: name
        for name in (
            "key",
            "number",
            "x",
            "y",
            "category",
            "label",
            "wheelchair",
            "companion_of",
            "restricted_view",
            "note",
        )
    },
    category_fields={"code": "code", "name": "name"},
)

# Lists whose items are written one per line: a plan stays readable in a diff
# and small enough to import again.
ONE_PER_LINE = frozenset({"categories", "areas", "standing", "tables", "seats"})


@cache
def schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


@cache
def seat_validator() -> Draft202012Validator:
    return Draft202012Validator({"$ref": "#/$defs/seat", "$defs": schema()["$defs"]})


@cache
def seat_fields() -> frozenset[str]:
    return frozenset(schema()["$defs"]["seat"]["properties"])


def quick_seat(seat: Any) -> list[str] | None:
    """The unknown fields of a seat that is otherwise valid; None if unsure.

    Mirrors the seat's schema for the common case (schema_checks.schema_problems);
    anything unusual is left to the schema itself.
    """
    if type(seat) is not dict:
        return None
    if not (type(seat.get("key")) is str and seat["key"]):
        return None
    if not all(type(seat.get(name)) is str for name in ("number", "category")):
        return None
    if not all(type(seat.get(name)) in (int, float) for name in ("x", "y")):
        return None
    for name, default, types in _OPTIONAL_SEAT_FIELDS:
        if type(seat.get(name, default)) not in types:
            return None
    fields = seat_fields()
    return [name for name in seat if name not in fields]


_OPTIONAL_SEAT_FIELDS: tuple[tuple[str, Any, tuple[type, ...]], ...] = (
    ("label", "", (str,)),
    ("note", "", (str,)),
    ("uuid", "", (str,)),
    ("wheelchair", False, (bool,)),
    ("restricted_view", False, (bool,)),
    ("companion_of", None, (str, type(None))),
)


def read_native(document: Any) -> Built:
    """The plan of a parsed native document; refuses it on any schema violation."""
    errors, unknown = schema_problems(
        validator(), document, seat_validator=seat_validator(), quick_seat=quick_seat
    )
    if errors or unknown:
        raise PlanRejected(errors + unknown)
    plan = Plan(
        name=document["name"],
        categories=tuple(
            Category(code=c["code"], name=c["name"], color=c.get("color", ""))
            for c in document["categories"]
        ),
        zones=tuple(_zone(zone) for zone in document["zones"]),
        width=float(document["size"]["width"]),
        height=float(document["size"]["height"]),
    )
    return Built(plan=plan, locator=LOCATOR)


def _zone(zone: dict[str, Any]) -> Zone:
    return Zone(
        name=zone["name"],
        rows=tuple(_row(row) for row in zone["rows"]),
        areas=tuple(_area(area) for area in zone.get("areas", ())),
        standing=tuple(_standing(area) for area in zone.get("standing", ())),
        tables=tuple(_table(table) for table in zone.get("tables", ())),
        x=float(zone.get("x", 0)),
        y=float(zone.get("y", 0)),
        zone_id=zone.get("zone_id", ""),
        uuid=zone.get("uuid", ""),
    )


def _row(row: dict[str, Any]) -> Row:
    return Row(
        name=row["name"],
        seats=tuple(_seat(seat) for seat in row["seats"]),
        label=row.get("label", ""),
        seat_label=row.get("seat_label", ""),
        uuid=row.get("uuid", ""),
    )


def _seat(seat: dict[str, Any]) -> PlanSeat:
    return PlanSeat(
        key=seat["key"],
        number=seat["number"],
        x=float(seat["x"]),
        y=float(seat["y"]),
        category=seat["category"],
        label=seat.get("label", ""),
        wheelchair=seat.get("wheelchair", False),
        companion_of=seat.get("companion_of"),
        restricted_view=seat.get("restricted_view", False),
        note=seat.get("note", ""),
        uuid=seat.get("uuid", ""),
    )


def _standing(area: dict[str, Any]) -> StandingArea:
    return StandingArea(
        key=area["key"],
        name=area["name"],
        capacity=int(area["capacity"]),
        category=area["category"],
        outline=_area(area["outline"]),
    )


def _table(table: dict[str, Any]) -> Table:
    shape = table.get("shape", "round")
    return Table(
        key=table["key"],
        name=table["name"],
        seats=int(table["seats"]),
        category=table["category"],
        x=float(table["x"]),
        y=float(table["y"]),
        shape=shape,
        radius=float(table.get("radius", 0)),
        width=float(table.get("width", 0)),
        height=float(table.get("height", 0)),
        booking=table.get("booking", "whole"),
        color=table.get("color", ""),
    )


def _area(area: dict[str, Any]) -> Area:
    return Area(
        shape=area["shape"],
        x=float(area["x"]),
        y=float(area["y"]),
        color=area.get("color", ""),
        border_color=area.get("border_color", ""),
        rotation=float(area.get("rotation", 0)),
        points=tuple((float(x), float(y)) for x, y in area.get("points", ())),
        width=float(area.get("width", 0)),
        height=float(area.get("height", 0)),
        rx=float(area.get("rx", 0)),
        ry=float(area.get("ry", 0)),
        radius=float(area.get("radius", 0)),
        text=area.get("text", ""),
        text_size=float(area.get("text_size", 16)),
        text_color=area.get("text_color", ""),
        uuid=area.get("uuid", ""),
    )


def write_native(plan: Plan) -> dict[str, Any]:
    """The plan as a native document (JSON data, keys in a stable order)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": plan.name,
        "size": {"width": number(plan.width), "height": number(plan.height)},
        "categories": [
            {"code": c.code, "name": c.name, "color": c.color} for c in plan.categories
        ],
        "zones": [_zone_record(zone) for zone in plan.zones],
    }


def _zone_record(zone: Zone) -> dict[str, Any]:
    record = _zone_fields(zone)
    # Only when there are some: plans without standing areas or tables are
    # written exactly as before those existed.
    rows = record.pop("rows")
    if zone.standing:
        record["standing"] = [_standing_record(area) for area in zone.standing]
    if zone.tables:
        record["tables"] = [_table_record(table) for table in zone.tables]
    record["rows"] = rows
    return record


def _table_record(table: Table) -> dict[str, Any]:
    record: dict[str, Any] = {
        "key": table.key,
        "name": table.name,
        "seats": table.seats,
        "category": table.category,
        "booking": table.booking,
        "shape": table.shape,
        "x": number(table.x),
        "y": number(table.y),
    }
    if table.shape == "round":
        record["radius"] = number(table.radius)
    else:
        record["width"] = number(table.width)
        record["height"] = number(table.height)
    if table.color:
        record["color"] = table.color
    return record


def _standing_record(area: StandingArea) -> dict[str, Any]:
    outline = area.outline
    return {
        "key": area.key,
        "name": area.name,
        "capacity": area.capacity,
        "category": area.category,
        "outline": tidy(
            {**area_record(outline), **({"uuid": outline.uuid} if outline.uuid else {})}
        ),
    }


def _zone_fields(zone: Zone) -> dict[str, Any]:
    return {
        "name": zone.name,
        "x": number(zone.x),
        "y": number(zone.y),
        "zone_id": zone.zone_id,
        "uuid": zone.uuid,
        "areas": [
            tidy({**area_record(area), **({"uuid": area.uuid} if area.uuid else {})})
            for area in zone.areas
        ],
        "rows": [
            {
                "name": row.name,
                "label": row.label,
                "seat_label": row.seat_label,
                "uuid": row.uuid,
                "seats": [_seat_record(seat) for seat in row.seats],
            }
            for row in zone.rows
        ],
    }


_SEAT_DEFAULTS = PlanSeat(key="", number="", x=0, y=0, category="")


def _seat_record(seat: PlanSeat) -> dict[str, Any]:
    record: dict[str, Any] = {
        "key": seat.key,
        "number": seat.number,
        "x": number(seat.x),
        "y": number(seat.y),
        "category": seat.category,
    }
    for name in ("label", "wheelchair", "companion_of", "restricted_view", "note"):
        if getattr(seat, name) != getattr(_SEAT_DEFAULTS, name):
            record[name] = getattr(seat, name)
    if seat.uuid:
        record["uuid"] = seat.uuid
    return record


def dump_json(document: Any) -> bytes:
    """Indented UTF-8 JSON, key order kept.

    Items of the lists in ONE_PER_LINE, and objects of plain values, take one
    line each. Writers pass whole numbers as integers (`number`, `tidy`).
    """
    return (_dump(document, "", one_per_line=False) + "\n").encode("utf-8")


def _dump(value: Any, indent: str, *, one_per_line: bool) -> str:
    inner = indent + "  "
    if isinstance(value, dict) and value and not _is_flat(value):
        items = [
            f"{inner}{json.dumps(key)}: "
            + _dump(item, inner, one_per_line=key in ONE_PER_LINE)
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value:
        if one_per_line:
            items = [inner + _compact(item) for item in value]
        else:
            items = [inner + _dump(item, inner, one_per_line=False) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return _compact(value)


def _is_flat(record: dict[str, Any]) -> bool:
    """Holds only plain values (a position, a size): short enough for one line."""
    return not any(isinstance(value, dict | list) for value in record.values())


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def _compact(value: Any) -> str:
    return _ENCODER.encode(value)


def number(value: float) -> float | int:
    """A whole number as an integer (`200`, not `200.0`), as the snapshot sends it."""
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def tidy(value: Any) -> Any:
    """`number` applied throughout a small piece of JSON data."""
    if isinstance(value, float):
        return number(value)
    if isinstance(value, dict):
        return {key: tidy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [tidy(item) for item in value]
    return value


def slugify(text: str, *, max_length: int) -> str:
    """Lowercase ASCII letters, digits and single dashes; may be empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def category_codes(names: Iterable[str]) -> list[str]:
    """A unique code for each category name, in order (`stalls`, `stalls-2`)."""
    codes: dict[str, None] = {}
    for name in names:
        base = slugify(name, max_length=MAX_CATEGORY_CODE) or "category"
        code, n = base, 2
        while code in codes:
            suffix = f"-{n}"
            code = base[: MAX_CATEGORY_CODE - len(suffix)].rstrip("-") + suffix
            n += 1
        codes[code] = None
    return list(codes)
