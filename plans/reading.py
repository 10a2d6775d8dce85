"""Plans in and out of files: the entry points for every format.

`read_plan` takes the bytes of an upload, finds its format, refuses what
cannot or must not be imported (listing every problem, each with where it
is), and returns the plan with any harmless oddities as warnings. Size and
nesting are limited before anything is parsed, so a hostile file costs no
more than a scan of its bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings

from plans import csvplan, limits, native, pretix
from plans.checks import (
    MAX_NOTE,
    Built,
    check_companions,
    check_plan,
    too_many_seats,
    whole_tables_over,
)
from plans.csvplan import SeatFlags
from plans.document import Imported, Plan, PlanRejected, Problem
from plans.schema_checks import count_json_seats

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_SEATS",
    "SeatFlags",
    "apply_flags",
    "read_flags",
    "read_plan",
    "write_plan",
]

MAX_BYTES = 20 * 1024 * 1024
MAX_SEATS = 100_000
MAX_DEPTH = 64
# Problems and warnings listed per file; past this, one line says how many more.
MAX_LISTED = 200

FORMATS = ("pretix", "native", "csv")
BOM = b"\xef\xbb\xbf"


def read_plan(
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    name: str | None = None,
) -> Imported:
    """The plan in `data`, or PlanRejected listing every problem found.

    `format` is "pretix", "native" or "csv"; None finds it (a `.csv` name or
    content that is not JSON: CSV; JSON with `"format": "seats-plan"`:
    native; other JSON: pretix). `name` replaces the plan's name; a CSV plan
    is otherwise named after its file.
    """
    if format not in (None, *FORMATS):
        raise ValueError(f"unknown plan format {format!r}")
    try:
        built = _read(data, filename=filename, format=format)
        problems = built.problems + check_plan(
            built.plan, built.locator, max_seats=MAX_SEATS
        )
    except PlanRejected as rejected:
        raise PlanRejected(_listed(rejected.problems)) from None
    if problems:
        raise PlanRejected(_listed(problems))
    plan = built.plan if name is None else replace(built.plan, name=name)
    unsellable = whole_tables_over(plan, built.locator, settings.SEAT_MAX_PER_HOLDER)
    return Imported(plan=plan, warnings=_listed(built.warnings + unsellable))


def _read(data: bytes, *, filename: str, format: str | None) -> Built:
    _refuse_oversized(data)
    if format == "csv" or (format is None and _looks_like_csv(data, filename)):
        name = PurePosixPath(filename.replace("\\", "/")).stem or "Imported plan"
        return csvplan.read_csv_plan(data, name=name, max_seats=MAX_SEATS)
    document = load_json(data)
    count = count_json_seats(document)
    if count > MAX_SEATS:
        raise PlanRejected([Problem("$.zones", too_many_seats(count, MAX_SEATS))])
    # Costly or unstorable content is refused before the plan is built.
    problems = limits.json_text_problems(document, data)
    problems += limits.json_geometry_problems(document)
    if problems:
        raise PlanRejected(problems)
    if format is None:
        is_native = (
            isinstance(document, dict) and document.get("format") == native.FORMAT
        )
        format = "native" if is_native else "pretix"
    if format == "native":
        return native.read_native(document)
    return pretix.read_pretix(document)


def _looks_like_csv(data: bytes, filename: str) -> bool:
    if filename.lower().endswith(".csv"):
        return True
    start = data[:4096].removeprefix(BOM).lstrip()
    # "[" too is JSON: a list is refused as a plan with a clear message
    # (and a deeply nested one as too deep), not misread as a CSV header.
    return not start.startswith((b"{", b"["))


def _refuse_oversized(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise PlanRejected(
            [
                Problem(
                    "file",
                    f"the file is {len(data):,} bytes, more than the limit of "
                    f"{MAX_BYTES:,}",
                )
            ]
        )


class _NotJsonNumber(ValueError):
    """A number JSON has no place for (NaN, Infinity, 1e999, 20-digit integers)."""


def load_json(data: bytes) -> Any:
    """The parsed JSON; PlanRejected at `$` if it is not JSON or nests too deep."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanRejected(
            [Problem("$", f"not UTF-8 text (byte {error.start} cannot be read)")]
        ) from None
    if nesting_depth(data, limit=MAX_DEPTH) > MAX_DEPTH:
        raise PlanRejected([Problem("$", f"nested deeper than {MAX_DEPTH} levels")])
    # Number hooks cost a call per number: only used when the bytes hold a
    # number long enough to overflow (or "e100" in a string, harmlessly).
    hooks: dict[str, Any] = {}
    if _MAYBE_HUGE_NUMBER.search(data):
        hooks = {"parse_float": _finite_float, "parse_int": _safe_int}
    try:
        return json.loads(text, parse_constant=_refuse_constant, **hooks)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}: {error.msg}"
        raise PlanRejected([Problem("$", f"not valid JSON ({where})")]) from None
    except _NotJsonNumber as error:
        raise PlanRejected([Problem("$", f"not valid JSON ({error})")]) from None
    except RecursionError:
        raise PlanRejected(
            [Problem("$", f"nested deeper than {MAX_DEPTH} levels")]
        ) from None


_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_NOT_MARKS = bytes(set(range(256)) - set(b'[]{}"'))
_CURLY_TO_SQUARE = bytes.maketrans(b"{}", b"[]")
_MAYBE_HUGE_NUMBER = re.compile(rb"\d{16}|[eE][+-]?\d{3}")


def nesting_depth(data: bytes, *, limit: int) -> int:
    """How deeply the JSON's arrays and objects nest, counted up to `limit` + 1.

    Strings are cut out and only brackets kept; each pass then removes the
    innermost pairs, so the passes needed are the depth. All in C-speed byte
    operations: a 100,000-deep file is refused in milliseconds, before the
    parser (which recurses) ever sees it.
    """
    brackets = _brackets_outside_strings(data).translate(_CURLY_TO_SQUARE)
    depth = 0
    while brackets and depth <= limit:
        inner = brackets.replace(b"[]", b"")
        if inner == brackets:
            # Unbalanced ("]]" then "[[["): every opening left adds a level.
            return depth + inner.count(b"[")
        brackets = inner
        depth += 1
    return depth


def _brackets_outside_strings(data: bytes) -> bytes:
    if b"\\" not in data:
        marks = data.translate(None, _NOT_MARKS)
        # Without escapes, strings holding no bracket are bare `""` pairs
        # here; if removing those pairs leaves no quote, no string held one
        # (the first that did would leave an odd run of quotes before it).
        if b'"' not in marks.replace(b'""', b""):
            return marks.translate(None, b'"')
    return _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NotJsonNumber(f"the number {text} is too large")
    return value


def _safe_int(text: str) -> int:
    if len(text.lstrip("-")) > 15:
        raise _NotJsonNumber(f"the number {text[:20]} is too large")
    return int(text)


def _refuse_constant(text: str) -> float:
    raise _NotJsonNumber(f"{text} is not a number in JSON")


def _listed(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_LISTED:
        return problems
    more = len(problems) - MAX_LISTED
    return [*problems[:MAX_LISTED], Problem("file", f"and {more:,} more like these")]


def write_plan(plan: Plan, format: str) -> bytes:
    """The plan as UTF-8 JSON in "native" or "pretix" format, keys in a stable order."""
    if format == "native":
        return native.dump_json(native.write_native(plan))
    if format == "pretix":
        return native.dump_json(pretix.write_pretix(plan))
    raise ValueError(f"cannot write plans as {format!r}")


def read_flags(data: bytes) -> dict[str, SeatFlags]:
    """The flags CSV: seat key -> its flags; PlanRejected with every bad line."""
    try:
        _refuse_oversized(data)
        return csvplan.read_flags_csv(data)
    except PlanRejected as rejected:
        raise PlanRejected(_listed(rejected.problems)) from None


def apply_flags(plan: Plan, flags: dict[str, SeatFlags]) -> Plan:
    """A copy of the plan with the listed seats' flags replaced.

    All or nothing: PlanRejected if a key names no seat, or the result breaks
    the companion rules (a companion goes with a wheelchair space of the plan).
    """
    keys = {seat.key for _, _, seat in plan.seats()}
    problems = [
        Problem(f'seat "{key}"', "no seat with this key in the plan")
        for key in flags
        if key not in keys
    ]
    problems += [
        Problem(f'seat "{key}", column note', f"more than {MAX_NOTE} characters")
        for key, seat_flags in flags.items()
        if len(seat_flags.note) > MAX_NOTE
    ]
    flagged = replace(
        plan,
        zones=tuple(
            replace(
                zone,
                rows=tuple(
                    replace(
                        row,
                        seats=tuple(
                            replace(seat, **vars(flags[seat.key]))
                            if seat.key in flags
                            else seat
                            for seat in row.seats
                        ),
                    )
                    for row in zone.rows
                ),
            )
            for zone in plan.zones
        ),
    )
    problems += check_companions(flagged, _FlagsLocator(flagged))
    if problems:
        raise PlanRejected(_listed(problems))
    return flagged


class _FlagsLocator:
    """Flags problems are named by seat key: the CSV's lines are gone by now."""

    whole = "flags"

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def zone(self, z: int, field: str) -> str:
        return f'zone "{self.plan.zones[z].name}"'

    def row(self, z: int, r: int, field: str) -> str:
        return (
            f'zone "{self.plan.zones[z].name}", row "{self.plan.zones[z].rows[r].name}"'
        )

    def seat(self, z: int, r: int, s: int, field: str) -> str:
        key = self.plan.zones[z].rows[r].seats[s].key
        return f'seat "{key}", column {field}'

    def category(self, c: int, field: str) -> str:
        return f'category "{self.plan.categories[c].code}"'
