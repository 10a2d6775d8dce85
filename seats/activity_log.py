"""Reads of the activity log: the recent changes the staff dashboard opens with.

The log has one row per seat per change; a change is the rows of one event
version. A page that opens reads the last changes from here and then goes on
with the live `activity` frames; the (event, version) pair names a change in
both, so the page can drop a change it already has.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Q

from seats.models import Activity

# What a dashboard opens with: the last hour, and never more than this many
# changes however busy it was (one change can name thousands of seats).
HISTORY_WINDOW = timedelta(hours=1)
HISTORY_LIMIT = 200


@dataclass(frozen=True, slots=True)
class LoggedSeat:
    id: int
    label: str


@dataclass(frozen=True, slots=True)
class LoggedChange:
    """One change as the log remembers it: who acted on which seats, when."""

    event_id: int
    version: int
    reason: str
    at: datetime
    holders: tuple[str, ...]  # sorted, distinct
    seats: tuple[LoggedSeat, ...]  # in id order


def recent_changes(
    *,
    now: datetime,
    window: timedelta = HISTORY_WINDOW,
    limit: int = HISTORY_LIMIT,
) -> list[LoggedChange]:
    """The newest `limit` changes logged in `window` before `now`, oldest first.

    Bounded twice: by time and by count of changes (not of rows), so a busy
    night costs at most `limit` changes' rows.
    """
    since = now - window
    in_window = Activity.objects.filter(at__gt=since, at__lte=now)
    keys = list(
        in_window.values("event_id", "version")
        .annotate(last=Max("at"))
        .order_by("-last", "-event_id", "-version")[:limit]
    )
    if not keys:
        return []
    versions: dict[int, list[int]] = defaultdict(list)
    for key in keys:
        versions[key["event_id"]].append(key["version"])
    # One condition per event: the (event, version) index answers each.
    wanted = Q()
    for event_id, event_versions in versions.items():
        wanted |= Q(event_id=event_id, version__in=event_versions)
    rows = (
        Activity.objects.filter(wanted)
        .order_by()
        .values_list(
            "event_id", "version", "kind", "at", "holder", "seat_id", "seat__label"
        )
    )
    return _changes(rows)


Row = tuple[int, int, str, datetime, str, int, str]


def _changes(rows: Iterable[Row]) -> list[LoggedChange]:
    """Rows grouped into changes, oldest first."""
    grouped: dict[tuple[int, int], list[Row]] = defaultdict(list)
    for row in rows:
        grouped[(row[0], row[1])].append(row)
    changes = [
        LoggedChange(
            event_id=event_id,
            version=version,
            reason=members[0][2],
            at=max(m[3] for m in members),
            holders=tuple(sorted({m[4] for m in members})),
            seats=tuple(
                sorted({LoggedSeat(m[5], m[6]) for m in members}, key=lambda s: s.id)
            ),
        )
        for (event_id, version), members in grouped.items()
    ]
    changes.sort(key=lambda c: (c.at, c.event_id, c.version))
    return changes
