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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

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
            text += "[" + quoted(str(part)) + "]"
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


def whole_tables_over(plan: Plan, locate: Locator, limit: int) -> list[Problem]:
    """Warnings, not problems: a table sold whole with more seats than one
    buyer may hold (SEAT_MAX_PER_HOLDER) cannot be held on the map or
    through the API; only the box office, which has no such limit, sells it."""
    warnings: list[Problem] = []
    for z, zone in enumerate(plan.zones):
        for table in zone.tables:
            if table.booking == "whole" and table.seats > limit:
                warnings.append(
                    Problem(
                        locate.zone(z, "tables"),
                        f"table {quoted(table.key)}: sold whole with {table.seats} "
                        f"seats, more than the {limit} one buyer may hold: only "
                        "the box office can sell it (sell it seat by seat, or "
                        "raise SEAT_MAX_PER_HOLDER)",
                    )
                )
    return warnings


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
            named = f"{kind} {quoted(part.key)}"
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
                        f"{named}: no category has the code {quoted(part.category)}",
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
                    f"category code {quoted(category.code)} is used again "
                    f"(first at {where})",
                )
            )
        first_code.setdefault(category.code, c)
        if category.name in first_name:
            where = locate.category(first_name[category.name], "name")
            problems.append(
                Problem(
                    locate.category(c, "name"),
                    f"category name {quoted(category.name)} is used again "
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
                    f"seat key {quoted(seat.key)} is used again "
                    f"(first at {locate.seat(*first, 'key')})",
                )
            )
        name = (zone.name, row.name, seat.number)
        if (first := first_name.setdefault(name, at)) != at:
            problems.append(
                Problem(
                    locate.seat(*at, "number"),
                    f"zone {quoted(zone.name)}, row {quoted(row.name)}, seat "
                    f"{quoted(seat.number)} appears twice "
                    f"(first at {locate.seat(*first, 'number')})",
                )
            )
        if seat.category not in codes:
            problems.append(
                Problem(
                    locate.seat(*at, "category"),
                    f"no category {quoted(seat.category)} in the plan",
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
        target = quoted(seat.companion_of)
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


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _too_long(where: str, what: str, value: str, limit: int) -> list[Problem]:
    if len(value) <= limit:
        return []
    return [Problem(where, f"{what} is {len(value)} characters, more than {limit}")]


def too_many_seats(count: int, limit: int) -> str:
    return f"the plan has {count:,} seats, more than the limit of {limit:,}"
