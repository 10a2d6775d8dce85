"""What a plan may cost, beyond its size in bytes, and what its text may hold.

A plan is read once but drawn by every visitor: a file well under the size
limit can still hold one polygon of a million points, which every map then
carries and renders. So shapes are bounded by points (each and in total)
and areas by count and caption length, before the plan is built.

Text is one line of printable characters: a NUL cannot be stored by
PostgreSQL, half of a surrogate pair cannot be encoded at all, and other
control characters only garble labels, exports and logs. Every string of a
JSON plan (keys included) and every cell of a CSV is checked, and each
offender is reported where it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from plans.checks import json_path
from plans.document import Problem

# Points of one polygon, and of every polygon of the plan together. A hall
# outline traced by hand has tens of points; a seat map is not a GIS.
MAX_POINTS_PER_SHAPE = 1_000
MAX_POINTS = 20_000
# Shapes, labels and captions drawn besides the seats, and a caption's length.
MAX_AREAS = 2_000
MAX_AREA_TEXT = 200

# Control characters (C0, DEL, C1) and surrogates: never in a plan's text.
_NOT_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# In a CSV, tabs and line ends are structure (or trimmed), not content.
_NOT_CSV_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# What in a JSON file's bytes can turn into one of those: an escape, or a
# raw DEL or C1 character (UTF-8). Most plans have none and skip the walk.
_MAYBE_NOT_TEXT = re.compile(
    rb"\\(?:[nrtbf]|u00[01]|u007f|u00[89]|ud[89a-f])|\x7f|\xc2[\x80-\x9f]",
    re.IGNORECASE,
)


def describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return (
            f"U+{code:04X}, half of a character (a lone surrogate), which is not text"
        )
    return f"a control character (U+{code:04X}); names and labels are printable text"


def json_text_problems(document: Any, data: bytes) -> list[Problem]:
    """Every string (and key) of a parsed JSON plan that is not printable text.

    `data` is the file the document was parsed from.
    """
    if not _MAYBE_NOT_TEXT.search(data):
        return []
    return [
        Problem(json_path(path), f"contains {describe(found)}")
        for path, found in _bad_strings(document, [])
    ]


def _bad_strings(value: Any, path: list[Any]) -> Iterator[tuple[list[Any], str]]:
    if isinstance(value, str):
        if found := _NOT_TEXT.search(value):
            yield path, found.group()
    elif isinstance(value, dict):
        for key, item in value.items():
            if found := _NOT_TEXT.search(key):
                yield path, found.group()
            else:
                yield from _bad_strings(item, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _bad_strings(item, [*path, index])


def csv_text_problems(text: str) -> list[Problem]:
    """Each line of a CSV holding a character that is not printable text."""
    problems = []
    for found in _NOT_CSV_TEXT.finditer(text):
        line = text.count("\n", 0, found.start()) + 1
        problems.append(Problem(f"line {line}", f"contains {describe(found.group())}"))
    return problems


def json_geometry_problems(document: Any) -> list[Problem]:
    """Areas and polygon points past the limits, in a parsed JSON plan.

    Native plans keep a polygon's points in `points`, pretix's in
    `polygon.points`; anything of the wrong shape counts as nothing (the
    schema reports it).
    """
    problems: list[Problem] = []
    areas = points = 0
    zones = document.get("zones") if isinstance(document, dict) else None
    for z, zone in enumerate(zones if isinstance(zones, list) else ()):
        found = zone.get("areas") if isinstance(zone, dict) else None
        for a, area in enumerate(found if isinstance(found, list) else ()):
            areas += 1
            if not isinstance(area, dict):
                continue
            where = ["zones", z, "areas", a]
            shape, field = _points_of(area)
            if len(shape) > MAX_POINTS_PER_SHAPE:
                problems.append(
                    Problem(
                        json_path([*where, *field]),
                        f"{len(shape):,} points, more than the limit of "
                        f"{MAX_POINTS_PER_SHAPE:,} for one shape",
                    )
                )
            points += len(shape)
            caption = area.get("text")
            if isinstance(caption, str) and len(caption) > MAX_AREA_TEXT:
                problems.append(
                    Problem(
                        json_path([*where, "text"]),
                        f"a caption of {len(caption):,} characters, more than "
                        f"{MAX_AREA_TEXT}",
                    )
                )
    if areas > MAX_AREAS:
        problems.append(
            Problem("$.zones", f"{areas:,} areas, more than the limit of {MAX_AREAS:,}")
        )
    if points > MAX_POINTS:
        problems.append(
            Problem(
                "$.zones",
                f"{points:,} polygon points in all, more than the limit of "
                f"{MAX_POINTS:,}",
            )
        )
    return problems


def _points_of(area: dict[str, Any]) -> tuple[list[Any], list[str]]:
    points = area.get("points")
    if isinstance(points, list):
        return points, ["points"]
    polygon = area.get("polygon")
    points = polygon.get("points") if isinstance(polygon, dict) else None
    return (points, ["polygon", "points"]) if isinstance(points, list) else ([], [])
