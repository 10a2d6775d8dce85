"""Plans from a spreadsheet: one seat per line; and the seat-flags CSV.

The first line names the columns, in any order and any case. Values are
trimmed; a line of empty cells is skipped (spreadsheets leave them). Comma
separated, or semicolon when the header uses semicolons, in which case a
decimal comma (`100,5`) is read as a number too. UTF-8, with or without BOM.
Problems are located as `line 12, column x`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from plans.checks import MAX_KEY, MAX_NOTE, Built, too_many_seats
from plans.document import (
    Area,
    Category,
    Plan,
    PlanRejected,
    PlanSeat,
    Problem,
    Row,
    StandingArea,
    Zone,
)
from plans.limits import csv_text_problems
from plans.native import category_codes, slugify

PLAN_REQUIRED = ("zone", "row", "number", "x", "y", "category")
PLAN_OPTIONAL = (
    "key",
    "label",
    "wheelchair",
    "companion_of",
    "restricted_view",
    "note",
    "capacity",
    "width",
    "height",
)
# A standing area's outline when its line gives no size, in plan units.
STANDING_SIZE = (200.0, 100.0)
MAX_CAPACITY = 100_000
FLAG_COLUMNS = ("wheelchair", "companion_of", "restricted_view", "note")

TRUE = frozenset({"true", "yes", "1"})
FALSE = frozenset({"false", "no", "0", ""})

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


@dataclass(frozen=True)
class SeatFlags:
    """What the flags CSV says about one seat (pretix's format has no place
    for it). Applying it replaces all four flags of that seat."""

    wheelchair: bool = False
    companion_of: str | None = None
    restricted_view: bool = False
    note: str = ""


@dataclass
class _Table:
    columns: list[str]  # lowercased header names, "" for a nameless column
    delimiter: str
    lines: Iterator[tuple[int, dict[str, str]]]
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # filled while reading


@dataclass(frozen=True)
class CsvLocator:
    """`line N, column C` for the parts of a plan read from CSV."""

    seat_lines: list[list[list[int]]]  # [zone][row][seat] -> line
    category_lines: list[int]
    columns: frozenset[str]
    whole: str = "file"
    zone_lines: list[int] = field(default_factory=list)  # [zone] -> its first line

    def zone(self, z: int, field: str) -> str:
        if field == "standing":
            return self._at(self.zone_lines[z], "capacity")
        return self._at(self.zone_lines[z], "zone")

    def row(self, z: int, r: int, field: str) -> str:
        return self._at(self.seat_lines[z][r][0], "row")

    def seat(self, z: int, r: int, s: int, field: str) -> str:
        return self._at(self.seat_lines[z][r][s], field)

    def category(self, c: int, field: str) -> str:
        return self._at(self.category_lines[c], "category")

    def _at(self, line: int, column: str) -> str:
        if column in self.columns:
            return f"line {line}, column {column}"
        return f"line {line}"


def read_csv_plan(data: bytes, *, name: str, max_seats: int) -> Built:
    """The plan of a seats CSV; refuses it with every line's problems."""
    table = _table(data, required=PLAN_REQUIRED, optional=PLAN_OPTIONAL, lenient=True)
    problems = table.problems
    seats: list[tuple[int, dict[str, str], PlanSeat]] = []
    standing: list[tuple[int, dict[str, str], StandingArea]] = []
    for count, (line, values) in enumerate(table.lines, start=1):
        if count > max_seats:
            count += sum(1 for _ in table.lines)
            raise PlanRejected([Problem("file", too_many_seats(count, max_seats))])
        if values.get("capacity"):
            area = _standing(line, values, table.delimiter, problems)
            if area is not None:
                standing.append((line, values, area))
            continue
        seat = _seat(line, values, table.delimiter, problems)
        if seat is not None:
            seats.append((line, values, seat))
    if problems:
        raise PlanRejected(problems)
    return _plan(name, seats, table, standing)


def _standing(
    line: int, values: dict[str, str], delimiter: str, problems: list[Problem]
) -> StandingArea | None:
    """A line with a `capacity`: a standing area of the zone. `label` names it
    (else the zone's name); `x`, `y` are its outline's corner, `width` and
    `height` its size (200 by 100 when not given)."""
    before = len(problems)
    if not values["category"]:
        problems.append(Problem(f"line {line}, column category", "empty"))
    text = values["capacity"]
    capacity = int(text) if text.isascii() and text.isdigit() else 0
    if not 1 <= capacity <= MAX_CAPACITY:
        problems.append(
            Problem(
                f"line {line}, column capacity",
                f"{text!r} is not a whole number from 1 to {MAX_CAPACITY:,}",
            )
        )
    x = _number(line, "x", values["x"], delimiter, problems)
    y = _number(line, "y", values["y"], delimiter, problems)
    size = []
    for column, default in zip(("width", "height"), STANDING_SIZE, strict=True):
        given = values.get(column, "")
        size.append(
            _number(line, column, given, delimiter, problems) if given else default
        )
    if len(problems) > before or x is None or y is None or None in size:
        return None
    name = values.get("label") or values["zone"] or "Standing"
    key = values.get("key") or slugify(f"{values['zone']}-{name}", max_length=30)
    width, height = size
    assert width is not None and height is not None
    return StandingArea(
        key=key.replace("#", "-"),
        name=name,
        capacity=capacity,
        category=values["category"],  # the name; made a code in _plan
        outline=Area("rectangle", x, y, width=width, height=height),
    )


def _seat(
    line: int, values: dict[str, str], delimiter: str, problems: list[Problem]
) -> PlanSeat | None:
    before = len(problems)
    for column in ("row", "number", "category"):
        if not values[column]:
            problems.append(Problem(f"line {line}, column {column}", "empty"))
    x = _number(line, "x", values["x"], delimiter, problems)
    y = _number(line, "y", values["y"], delimiter, problems)
    flags = _flags(line, values, problems)
    if len(problems) > before or x is None or y is None or flags is None:
        return None
    key = values.get("key") or (
        slugify(
            f"{values['zone']}-{values['row']}-{values['number']}", max_length=MAX_KEY
        )
    )
    return PlanSeat(
        key=key,
        number=values["number"],
        x=x,
        y=y,
        category=values["category"],  # the name; made a code in _plan
        label=values.get("label", ""),
        wheelchair=flags.wheelchair,
        companion_of=flags.companion_of,
        restricted_view=flags.restricted_view,
        note=flags.note,
    )


def _plan(
    name: str,
    seats: list[tuple[int, dict[str, str], PlanSeat]],
    table: _Table,
    standing: list[tuple[int, dict[str, str], StandingArea]],
) -> Built:
    """Zones and rows in the order first seen, seats of a row in file order;
    a zone's standing areas in file order."""
    lines = sorted(
        [(line, values, seat.category) for line, values, seat in seats]
        + [(line, values, area.category) for line, values, area in standing],
        key=lambda entry: entry[0],
    )
    category_names = list(dict.fromkeys(category for _, _, category in lines))
    code_of = dict(zip(category_names, category_codes(category_names), strict=True))
    first_line: dict[str, int] = {}
    zone_lines: dict[str, int] = {}
    for line, values, category in lines:
        first_line.setdefault(category, line)
        zone_lines.setdefault(values["zone"], line)
    grouped: dict[str, dict[str, list[tuple[int, PlanSeat]]]] = {
        zone: {} for zone in zone_lines
    }
    for line, values, seat in seats:
        seat = replace(seat, category=code_of[seat.category])
        rows = grouped[values["zone"]]
        rows.setdefault(values["row"], []).append((line, seat))
    areas: dict[str, list[StandingArea]] = {zone: [] for zone in zone_lines}
    for _, values, area in standing:
        areas[values["zone"]].append(replace(area, category=code_of[area.category]))
    zones = tuple(
        Zone(
            name=zone,
            rows=tuple(
                Row(name=row, seats=tuple(seat for _, seat in members))
                for row, members in rows.items()
            ),
            standing=tuple(areas[zone]),
        )
        for zone, rows in grouped.items()
    )
    locator = CsvLocator(
        seat_lines=[
            [[line for line, _ in members] for members in rows.values()]
            for rows in grouped.values()
        ],
        category_lines=[first_line[name] for name in category_names],
        columns=frozenset(table.columns),
        zone_lines=list(zone_lines.values()),
    )
    outlines = [area.outline for _, _, area in standing]
    xs = [seat.x for _, _, seat in seats] + [a.x + a.width for a in outlines]
    ys = [seat.y for _, _, seat in seats] + [a.y + a.height for a in outlines]
    plan = Plan(
        name=name,
        categories=tuple(
            Category(code=code_of[category], name=category)
            for category in category_names
        ),
        zones=zones,
        width=_extent(xs),
        height=_extent(ys),
    )
    return Built(plan=plan, locator=locator, warnings=table.warnings)


def _extent(values: list[float]) -> float:
    """The plan's size along an axis: as much room after the last seat as
    before the first (at least one unit), since a CSV gives no size."""
    if not values:
        return 0.0
    return max(values) + max(min(values), 1.0)


def read_flags_csv(data: bytes) -> dict[str, SeatFlags]:
    """The flags CSV: a `key` column and any of the flag columns."""
    table = _table(data, required=("key",), optional=FLAG_COLUMNS, lenient=False)
    problems = table.problems
    flags: dict[str, SeatFlags] = {}
    first_line: dict[str, int] = {}
    for line, values in table.lines:
        key = values["key"]
        seat_flags = _flags(line, values, problems)
        if not key:
            problems.append(Problem(f"line {line}, column key", "empty"))
        elif key in first_line:
            problems.append(
                Problem(
                    f"line {line}, column key",
                    f'seat "{key}" is listed again (first on line {first_line[key]})',
                )
            )
        elif seat_flags is not None:
            first_line[key] = line
            flags[key] = seat_flags
    if problems:
        raise PlanRejected(problems)
    return flags


def _flags(
    line: int, values: dict[str, str], problems: list[Problem]
) -> SeatFlags | None:
    before = len(problems)
    wheelchair = _bool(line, "wheelchair", values.get("wheelchair", ""), problems)
    restricted = _bool(
        line, "restricted_view", values.get("restricted_view", ""), problems
    )
    companion_of = values.get("companion_of") or None
    note = values.get("note", "")
    if wheelchair and companion_of:
        problems.append(
            Problem(
                f"line {line}, column companion_of",
                "a wheelchair space cannot also be a companion seat",
            )
        )
    if len(note) > MAX_NOTE:
        problems.append(
            Problem(
                f"line {line}, column note",
                f"note is {len(note)} characters, more than {MAX_NOTE}",
            )
        )
    if len(problems) > before:
        return None
    return SeatFlags(
        wheelchair=bool(wheelchair),
        companion_of=companion_of,
        restricted_view=bool(restricted),
        note=note,
    )


def _table(
    data: bytes,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    lenient: bool,
) -> _Table:
    """The header checked, and the lines to come as {column: trimmed value}.

    `lenient`: an unknown column is a warning (else an error).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PlanRejected(
            [Problem(f"line {line}", "not UTF-8 text (save the file as CSV UTF-8)")]
        ) from None
    if bad_text := csv_text_problems(text):
        raise PlanRejected(bad_text)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise PlanRejected([Problem("line 1", f"not valid CSV ({error})")]) from None
    if not header or not any(cell.strip() for cell in header):
        if lenient:
            raise PlanRejected([Problem("file", "the plan has no seats")])
        raise PlanRejected([Problem("line 1", "no header line naming the columns")])
    columns = [cell.strip().lower() for cell in header]
    problems, warnings = _check_header(columns, required, optional, lenient)
    if problems:
        raise PlanRejected(problems)
    table = _Table(columns=columns, delimiter=delimiter, lines=iter(()))
    table.warnings = warnings
    table.lines = _lines(reader, columns, table.problems)
    return table


def _check_header(
    columns: list[str],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    lenient: bool,
) -> tuple[list[Problem], list[Problem]]:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    missing = [name for name in required if name not in columns]
    if missing:
        names = ", ".join(missing)
        problems.append(
            Problem("line 1", f"missing column{'s' * (len(missing) > 1)}: {names}")
        )
    seen: set[str] = set()
    for column in columns:
        if not column:
            continue
        if column in seen:
            problems.append(Problem(f"line 1, column {column}", "appears twice"))
        seen.add(column)
        if column not in required and column not in optional:
            if lenient:
                warnings.append(
                    Problem(f"line 1, column {column}", "unknown column, ignored")
                )
            else:
                known = ", ".join((*required, *optional))
                problems.append(
                    Problem(
                        f"line 1, column {column}",
                        f"unknown column (the columns are {known})",
                    )
                )
    return problems, warnings


def _lines(
    reader: Any, columns: list[str], problems: list[Problem]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each non-empty line as {column: value}; short lines read as empty cells.

    A line with more values than columns is a problem, and skipped.
    """
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.line_num
            raise PlanRejected(
                [Problem(f"line {line}", f"not valid CSV ({error})")]
            ) from None
        values = [cell.strip() for cell in cells]
        if not any(values):
            continue
        if any(values[len(columns) :]):
            problems.append(
                Problem(
                    f"line {reader.line_num}",
                    f"{len(values)} values, but the header names {len(columns)} "
                    "columns",
                )
            )
            continue
        values += [""] * (len(columns) - len(values))
        yield (
            reader.line_num,
            {
                column: value
                for column, value in zip(columns, values, strict=True)
                if column
            },
        )


def _number(
    line: int, column: str, value: str, delimiter: str, problems: list[Problem]
) -> float | None:
    if delimiter == ";" and _DECIMAL_COMMA.fullmatch(value):
        value = value.replace(",", ".")
    if _NUMBER.fullmatch(value):
        number = float(value)
        if number not in (float("inf"), float("-inf")):
            return number
    message = f'"{value}" is not a number' if value else "empty"
    problems.append(Problem(f"line {line}, column {column}", message))
    return None


def _bool(line: int, column: str, value: str, problems: list[Problem]) -> bool | None:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    problems.append(
        Problem(
            f"line {line}, column {column}",
            f'"{value}" is not yes or no (write true, false, yes, no, 1, 0, '
            "or leave it empty)",
        )
    )
    return None
