"""What a document's JSON Schema refuses, said for people and located.

Readers of JSON formats validate the document with its schema before they
build a plan (plans.checks then checks the built plan). Seats are validated
on their own, with a plain-Python quick check first, since a 100,000-seat
plan spends most of its validation there; every error is described in
words ("must be a number; got "abc"") at its JSON path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from plans.checks import json_path, quoted
from plans.document import Problem


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
        return quoted(value if len(value) <= 40 else value[:40] + "...")
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)
