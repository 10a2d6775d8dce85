"""What every imported plan must satisfy, whatever its format.

Reading is two steps. A reader first refuses what it cannot build (not JSON,
wrong types, missing fields: every such problem at once); a plan that builds
is then checked here as a whole, again reporting every problem at once.
Problems are located in the file that was read: each reader supplies a
`Locator`, so the same check reads `$.zones[0].rows[3].seats[7].category` for
JSON and `line 12, column category` for CSV.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from plans.document import Plan, PlanSeat, Problem, Row, Zone

# The longest values the database takes (seats.models: Seat.key, .section,
# .row, .label, .note; PriceCategory.code, .name): refused on import rather
# than failing later when the plan is stored.
MAX_KEY = 64
MAX_ZONE_NAME = 40
MAX_ROW_NAME = 16
MAX_LABEL = 64
MAX_NOTE = 200
MAX_CATEGORY_CODE = 40
MAX_CATEGORY_NAME = 80

# Two seats closer than this (in plan units, per axis) are on the same spot.
SPOT_DECIMALS = 2


@dataclass
class Built:
    """What a reader made of a file: the plan, where its parts came from, and
    what was odd (`warnings`) or wrong in a way only this format knows
    (`problems`, reported together with those of `check_plan`)."""

    plan: Plan
    locator: Locator
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class Locator(Protocol):
    """Where, in the file read, a part of the plan came from.

    `field` is the document's attribute name (`key`, `category`, `x`...);
    each format names it its own way.
    """

    @property
    def whole(self) -> str:
        """Where problems of the plan as a whole are reported."""
        ...

    def zone(self, z: int, field: str) -> str: ...

    def row(self, z: int, r: int, field: str) -> str: ...

    def seat(self, z: int, r: int, s: int, field: str) -> str: ...

    def category(self, c: int, field: str) -> str: ...


@dataclass(frozen=True)
class JsonLocator:
    """JSON paths into a `zones[].rows[].seats[]` document.

    The maps translate document attributes to the format's keys; an attribute
    a map leaves out is located at its object, an empty name likewise.
    """

    zone_fields: Mapping[str, str] = field(default_factory=dict)
    row_fields: Mapping[str, str] = field(default_factory=dict)
    seat_fields: Mapping[str, str] = field(default_factory=dict)
    category_fields: Mapping[str, str] = field(default_factory=dict)
    whole: str = "$"

    def zone(self, z: int, field: str) -> str:
        return json_path(["zones", z, self.zone_fields.get(field, "")])

    def row(self, z: int, r: int, field: str) -> str:
        return json_path(["zones", z, "rows", r, self.row_fields.get(field, "")])

    def seat(self, z: int, r: int, s: int, field: str) -> str:
        name = self.seat_fields.get(field, "")
        return json_path(["zones", z, "rows", r, "seats", s, name])

    def category(self, c: int, field: str) -> str:
        return json_path(["categories", c, self.category_fields.get(field, "")])


def json_path(parts: list[Any] | Any) -> str:
    """`$.zones[0].rows[3]` from path elements; empty names are skipped."""
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part == "":
            continue
        elif str(part).isidentifier():
            text += f".{part}"
        else:
            text += "[" + _quote(str(part)) + "]"
    return text


def check_plan(plan: Plan, locate: Locator, *, max_seats: int) -> list[Problem]:
    """Every problem of a built plan; empty when it may be imported."""
    # A standing area's places are rows of an event like seats: they count.
    count = plan.places()
    if count == 0:
        return [Problem(locate.whole, "the plan has no seats")]
    if count > max_seats:
        return [Problem(locate.whole, too_many_seats(count, max_seats))]
    return [
        *check_categories(plan, locate),
        *check_zones_and_rows(plan, locate),
        *check_seats(plan, locate),
        *check_companions(plan, locate),
        *check_standing(plan, locate),
        *check_tables(plan, locate),
    ]


def check_tables(plan: Plan, locate: Locator) -> list[Problem]:
    """Tables: keys unique, categories known, a size for their shape."""
    problems: list[Problem] = []
    for where, named, table in _keyed_parts(plan, locate, "tables", "table", problems):
        if table.shape == "round" and table.radius <= 0:
            problems.append(Problem(where, f"{named}: a round table needs a radius"))
        if table.shape == "rectangle" and (table.width <= 0 or table.height <= 0):
            problems.append(
                Problem(where, f"{named}: a rectangular table needs a width and height")
            )
    return problems


def check_standing(plan: Plan, locate: Locator) -> list[Problem]:
    """Standing areas: keys unique, categories known, names that fit a label."""
    problems: list[Problem] = []
    for where, named, area in _keyed_parts(
        plan, locate, "standing", "standing area", problems
    ):
        # Places are labelled "<name> <number>".
        longest = f"{area.name} {area.capacity}"
        problems += _too_long(where, f"{named}: name", longest, MAX_LABEL)
    return problems


def _keyed_parts(
    plan: Plan, locate: Locator, field: str, kind: str, problems: list[Problem]
) -> Iterator[tuple[str, str, Any]]:
    """Each of the zones' `field` parts (tables, standing areas) with where it
    is and how to name it; a key used again or an unknown category is added
    to `problems` on the way."""
    codes = {c.code for c in plan.categories}
    first: dict[str, int] = {}
    for z, zone in enumerate(plan.zones):
        where = locate.zone(z, field)
        for part in getattr(zone, field):
            named = f"{kind} {_quote(part.key)}"
            if part.key in first:
                problems.append(
                    Problem(
                        where,
                        f"{named}: the key is used again (zone {first[part.key]})",
                    )
                )
            first.setdefault(part.key, z)
            if part.category not in codes:
                problems.append(
                    Problem(
                        where,
                        f"{named}: no category has the code {_quote(part.category)}",
                    )
                )
            yield where, named, part


def check_categories(plan: Plan, locate: Locator) -> list[Problem]:
    problems: list[Problem] = []
    first_code: dict[str, int] = {}
    first_name: dict[str, int] = {}
    for c, category in enumerate(plan.categories):
        if category.code in first_code:
            where = locate.category(first_code[category.code], "code")
            problems.append(
                Problem(
                    locate.category(c, "code"),
                    f"category code {_quote(category.code)} is used again "
                    f"(first at {where})",
                )
            )
        first_code.setdefault(category.code, c)
        if category.name in first_name:
            where = locate.category(first_name[category.name], "name")
            problems.append(
                Problem(
                    locate.category(c, "name"),
                    f"category name {_quote(category.name)} is used again "
                    f"(first at {where})",
                )
            )
        first_name.setdefault(category.name, c)
        problems += _too_long(
            locate.category(c, "code"),
            "category code",
            category.code,
            MAX_CATEGORY_CODE,
        )
        problems += _too_long(
            locate.category(c, "name"),
            "category name",
            category.name,
            MAX_CATEGORY_NAME,
        )
    return problems


def check_zones_and_rows(plan: Plan, locate: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for z, zone in enumerate(plan.zones):
        problems += _too_long(
            locate.zone(z, "name"), "zone name", zone.name, MAX_ZONE_NAME
        )
        for r, row in enumerate(zone.rows):
            where = locate.row(z, r, "name")
            if not row.name:
                problems.append(Problem(where, "the row has no name"))
            problems += _too_long(where, "row name", row.name, MAX_ROW_NAME)
    return problems


def check_seats(plan: Plan, locate: Locator) -> list[Problem]:
    """Keys, printed names and spots are unique; categories exist."""
    problems: list[Problem] = []
    codes = {category.code for category in plan.categories}
    # First occurrences, as seat indexes: locations are only worded for problems.
    first_key: dict[str, tuple[int, int, int]] = {}
    first_name: dict[tuple[str, str, str], tuple[int, int, int]] = {}
    first_spot: dict[tuple[float, float], tuple[int, int, int]] = {}
    for z, r, s, zone, row, seat in indexed_seats(plan):
        at = (z, r, s)
        if not seat.key:
            problems.append(Problem(locate.seat(*at, "key"), "the seat has no key"))
        elif (first := first_key.setdefault(seat.key, at)) != at:
            problems.append(
                Problem(
                    locate.seat(*at, "key"),
                    f"seat key {_quote(seat.key)} is used again "
                    f"(first at {locate.seat(*first, 'key')})",
                )
            )
        name = (zone.name, row.name, seat.number)
        if (first := first_name.setdefault(name, at)) != at:
            problems.append(
                Problem(
                    locate.seat(*at, "number"),
                    f"zone {_quote(zone.name)}, row {_quote(row.name)}, seat "
                    f"{_quote(seat.number)} appears twice "
                    f"(first at {locate.seat(*first, 'number')})",
                )
            )
        if seat.category not in codes:
            problems.append(
                Problem(
                    locate.seat(*at, "category"),
                    f"no category {_quote(seat.category)} in the plan",
                )
            )
        if not (math.isfinite(seat.x) and math.isfinite(seat.y)):
            problems.append(
                Problem(locate.seat(*at, "x"), "the position is not a finite number")
            )
        else:
            spot = (round(seat.x, SPOT_DECIMALS), round(seat.y, SPOT_DECIMALS))
            if (first := first_spot.setdefault(spot, at)) != at:
                problems.append(
                    Problem(
                        locate.seat(*at, "x"),
                        f"a second seat at ({seat.x:g}, {seat.y:g}) "
                        f"(first at {locate.seat(*first, 'x')})",
                    )
                )
        for field_name, what, limit in (
            ("key", "seat key", MAX_KEY),
            ("label", "seat label", MAX_LABEL),
            ("note", "note", MAX_NOTE),
        ):
            value = getattr(seat, field_name)
            if len(value) > limit:
                problems += _too_long(locate.seat(*at, field_name), what, value, limit)
    return problems


def check_companions(plan: Plan, locate: Locator) -> list[Problem]:
    """A companion seat names a wheelchair space, and is not one itself."""
    problems: list[Problem] = []
    wheelchair = {seat.key: seat.wheelchair for _, _, seat in plan.seats()}
    for z, r, s, _, _, seat in indexed_seats(plan):
        if seat.companion_of is None:
            continue
        where = locate.seat(z, r, s, "companion_of")
        target = _quote(seat.companion_of)
        if seat.wheelchair:
            problems.append(
                Problem(
                    where,
                    "a wheelchair space cannot also be a companion seat "
                    f"(companion_of {target})",
                )
            )
        elif seat.companion_of not in wheelchair:
            problems.append(Problem(where, f"companion_of {target} names no seat"))
        elif not wheelchair[seat.companion_of]:
            problems.append(
                Problem(where, f"companion_of {target} is not a wheelchair space")
            )
    return problems


def indexed_seats(
    plan: Plan,
) -> Iterator[tuple[int, int, int, Zone, Row, PlanSeat]]:
    """Every seat with its zone, row and seat indexes, in plan order."""
    for z, zone in enumerate(plan.zones):
        for r, row in enumerate(zone.rows):
            for s, seat in enumerate(row.seats):
                yield z, r, s, zone, row, seat


def count_json_seats(document: Any) -> int:
    """Seats in a parsed `zones[].rows[].seats[]` document, before validating it.

    Lets a reader refuse an oversized plan before the slow schema validation;
    anything of the wrong shape counts as nothing (the schema reports it).
    """
    total = 0
    zones = document.get("zones") if isinstance(document, dict) else None
    for zone in zones if isinstance(zones, list) else ():
        rows = zone.get("rows") if isinstance(zone, dict) else None
        for row in rows if isinstance(rows, list) else ():
            seats = row.get("seats") if isinstance(row, dict) else None
            total += len(seats) if isinstance(seats, list) else 0
    return total


# A plain-Python mirror of a seat's schema: None when it cannot vouch for the
# seat, else the seat's unknown fields (often none).
QuickSeatCheck = Callable[[Any], "list[str] | None"]


def schema_problems(
    validator: Validator,
    document: Any,
    *,
    seat_validator: Validator,
    quick_seat: QuickSeatCheck,
) -> tuple[list[Problem], list[Problem]]:
    """The document's schema violations as (errors, unknown fields).

    Unknown fields (`additionalProperties`) are kept apart: a lenient reader
    turns them into warnings, a strict one into errors. Seats, nearly all of
    a plan, are validated apart: `quick_seat` vouches for the ordinary ones
    at a hundredth of jsonschema's cost, and only the others go through
    `seat_validator` (the seat's own schema), which words their problems.
    """
    skeleton, seats = _without_seats(document)
    errors: dict[Problem, None] = {}
    unknown: dict[Problem, None] = {}
    _collect(validator.iter_errors(skeleton), skeleton, [], errors, unknown)
    for (z, r, s), seat in seats:
        unknown_fields = quick_seat(seat)
        if unknown_fields == []:
            continue
        path = ["zones", z, "rows", r, "seats", s]
        if unknown_fields is None:
            _collect(seat_validator.iter_errors(seat), seat, path, errors, unknown)
        else:
            for name in unknown_fields:
                unknown[Problem(json_path([*path, name]), "unknown field")] = None
    return list(errors), list(unknown)


SeatIndex = tuple[int, int, int]


def _without_seats(document: Any) -> tuple[Any, list[tuple[SeatIndex, Any]]]:
    """The document with every row's seats taken out, and the seats with their
    (zone, row, seat) indexes."""
    seats: list[tuple[SeatIndex, Any]] = []
    zones = document.get("zones") if isinstance(document, dict) else None
    if not isinstance(zones, list):
        return document, seats
    skeleton_zones: list[Any] = []
    for z, zone in enumerate(zones):
        rows = zone.get("rows") if isinstance(zone, dict) else None
        if not isinstance(rows, list):
            skeleton_zones.append(zone)
            continue
        skeleton_rows: list[Any] = []
        for r, row in enumerate(rows):
            row_seats = row.get("seats") if isinstance(row, dict) else None
            if not isinstance(row_seats, list):
                skeleton_rows.append(row)
                continue
            skeleton_rows.append({**row, "seats": []})
            seats += [((z, r, s), seat) for s, seat in enumerate(row_seats)]
        skeleton_zones.append({**zone, "rows": skeleton_rows})
    return {**document, "zones": skeleton_zones}, seats


def _collect(
    found: Iterable[ValidationError],
    document: Any,
    prefix: list[Any],
    errors: dict[Problem, None],
    unknown: dict[Problem, None],
) -> None:
    for error in found:
        path = [*prefix, *error.absolute_path]
        if error.validator == "additionalProperties":
            known = error.schema.get("properties", {})
            for name in error.instance:
                if name not in known:
                    unknown[Problem(json_path([*path, name]), "unknown field")] = None
        elif error.validator == "required":
            for name in error.validator_value:
                if name not in error.instance:
                    errors[Problem(json_path([*path, name]), "missing")] = None
        else:
            message = _describe(error, document)
            errors[Problem(json_path(path), message)] = None


_TYPE_WORDS = {
    "number": "a number",
    "integer": "a whole number",
    "string": "a string",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def _describe(error: ValidationError, document: Any) -> str:
    """The schema violation in words a plan's author understands."""
    value = error.validator_value
    got = _show(error.instance)
    if error.validator == "type":
        wanted = [value] if isinstance(value, str) else list(value)
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in wanted)
        return f"expected {words}, got {got}"
    if error.validator == "enum":
        return f"must be one of {', '.join(_show(v) for v in value)}; got {got}"
    if error.validator == "const":
        return f"must be {_show(value)}; got {got}"
    if error.validator == "minLength" and value == 1:
        return "must not be empty"
    if error.validator == "maxLength":
        return f"longer than {value} characters"
    if error.validator == "pattern":
        return f"{got} does not have the expected form ({value})"
    if error.validator == "minimum":
        return f"must be at least {value}; got {got}"
    if error.validator == "exclusiveMinimum":
        return f"must be more than {value}; got {got}"
    if error.validator in ("minItems", "maxItems"):
        return f"a point is [x, y]; got {got}"
    if error.validator == "not":
        parent = _at(document, list(error.absolute_path)[:-1])
        shape = parent.get("shape") if isinstance(parent, dict) else None
        return f"not used by a {shape} area" if shape else "not allowed here"
    return error.message


def _at(document: Any, path: list[Any]) -> Any:
    for part in path:
        document = document[part]
    return document


def _show(value: Any) -> str:
    if isinstance(value, str):
        return _quote(value if len(value) <= 40 else value[:40] + "...")
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _too_long(where: str, what: str, value: str, limit: int) -> list[Problem]:
    if len(value) <= limit:
        return []
    return [Problem(where, f"{what} is {len(value)} characters, more than {limit}")]


def too_many_seats(count: int, limit: int) -> str:
    return f"the plan has {count:,} seats, more than the limit of {limit:,}"
