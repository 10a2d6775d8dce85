"""Which seats staff mean: a zone, rows of a zone, or labels and ranges.

Always resolved to seat ids, the one thing keeping works on
(seats.services.channels), so any seat row (a standing area's places
too) is kept the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from seats.errors import BadRequest
from seats.models import Seat

# "A1-A20", "Stalls A1-20": a common prefix, then a range of numbers.
RANGE = re.compile(r"^(?P<prefix>.*?)(?P<first>\d+)\s*-\s*(?P=prefix)?(?P<last>\d+)$")
MAX_RANGE = 5000


@dataclass(frozen=True, slots=True)
class Selection:
    section: str = ""
    rows: str = ""  # comma-separated row names, within `section` if given
    labels: str = ""  # comma-separated labels and ranges

    def is_empty(self) -> bool:
        return not (self.section.strip() or self.rows.strip() or self.labels.strip())


def seat_ids(event_id: int, selection: Selection) -> list[int]:
    """The ids of the seats `selection` names, in id order; BadRequest when
    it names nothing, or a label that is no seat of the event."""
    if selection.is_empty():
        raise BadRequest("Name a zone, rows or seat labels.")
    ids: set[int] = set()
    seats = Seat.objects.filter(event_id=event_id)
    section = selection.section.strip()
    rows = _items(selection.rows)
    if rows:
        in_rows = seats.filter(row__in=rows)
        if section:
            in_rows = in_rows.filter(section=section)
        found = set(in_rows.values_list("id", flat=True))
        if not found:
            raise BadRequest("No seats are in those rows.")
        ids |= found
    elif section and not selection.labels.strip():
        found = set(seats.filter(section=section).values_list("id", flat=True))
        if not found:
            raise BadRequest(f"No seats are in the zone {section!r}.")
        ids |= found
    if selection.labels.strip():
        ids |= _labelled(seats, selection.labels)
    return sorted(ids)


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _labelled(seats, text: str) -> set[int]:
    """Labels must each be a seat; a range may skip numbers (an aisle),
    but not name no seat at all."""
    exact: list[str] = []
    ranges: list[list[str]] = []
    for item in _items(text):
        match = RANGE.match(item)
        if match is None:
            exact.append(item)
            continue
        first, last = int(match["first"]), int(match["last"])
        if last < first or last - first >= MAX_RANGE:
            raise BadRequest(f"{item!r} is not a range of seats.")
        ranges.append([f"{match['prefix']}{n}" for n in range(first, last + 1)])
    wanted = exact + [label for labels in ranges for label in labels]
    found = dict(seats.filter(label__in=wanted).values_list("label", "id"))
    missing = [label for label in exact if label not in found]
    if missing:
        raise BadRequest(f"No such seat: {', '.join(missing)}.")
    for labels in ranges:
        if not any(label in found for label in labels):
            raise BadRequest(f"No seats from {labels[0]} to {labels[-1]}.")
    return set(found.values())
