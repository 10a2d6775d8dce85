"""The focal point: where the best seats look, for best available.

Like seats.io's focal point: one point on the plan, seats nearer it are
better. It is the middle of the stage's edge that faces the seats, when the
plan draws a stage (an area captioned "Stage"); otherwise the horizontal
centre of the seats at their front (the smallest `y`: y grows towards the
back of a plan). Pure functions over area records (`plans.document.area_record`)
and seat coordinates; rotation of an area is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

Point = tuple[float, float]

_STAGE = re.compile(r"\bstage\b", re.IGNORECASE)


class Placed(Protocol):
    @property
    def x(self) -> float: ...
    @property
    def y(self) -> float: ...


def focal_point(areas: Iterable[Mapping[str, Any]], seats: Sequence[Placed]) -> Point:
    """The middle of the stage's front edge, else the seats' front centre."""
    if not seats:
        return (0.0, 0.0)
    seats_y = sum(s.y for s in seats) / len(seats)
    for area in areas:
        box = _box(area) if _STAGE.search(str(area.get("text", ""))) else None
        if box is not None:
            left, top, right, bottom = box
            # The edge the audience faces: the one on the seats' side.
            front = bottom if seats_y >= (top + bottom) / 2 else top
            return ((left + right) / 2, front)
    return front_centre(seats)


def front_centre(seats: Sequence[Placed]) -> Point:
    """The horizontal centre of the seats' extent, at the frontmost seat."""
    xs = [s.x for s in seats]
    return ((min(xs) + max(xs)) / 2, min(s.y for s in seats))


def _box(area: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """The area's bounding box (left, top, right, bottom), or None if it has none."""
    try:
        x, y = float(area["x"]), float(area["y"])
        shape = area.get("shape")
        if shape == "rectangle":
            return (x, y, x + float(area["width"]), y + float(area["height"]))
        if shape == "ellipse":
            rx, ry = abs(float(area["rx"])), abs(float(area["ry"]))
            return (x - rx, y - ry, x + rx, y + ry)
        if shape == "circle":
            r = abs(float(area["radius"]))
            return (x - r, y - r, x + r, y + r)
        if shape == "polygon" and area.get("points"):
            px = [float(p[0]) for p in area["points"]]
            py = [float(p[1]) for p in area["points"]]
            return (min(px), min(py), max(px), max(py))
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return None
