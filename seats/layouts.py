"""The seat map in two parts: its layout, and who has which seat now.

The layout (every seat's place, label, category and flags, the sales
channel keeping it, the event's channels, and the plan's drawn shapes)
changes only with a new plan or a channel change by staff
(`Event.layout_version`; services.channels), never during a sale: it is
read once per layout version and served as a document browsers keep. The
live state is the event's version and the seats that are not available
(held, booked, blocked); for a fresh event it is nearly empty. Both are
plain data; `wire.frames` renders them.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import astuple, dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from seats.models import Event, Seat, SeatStatus, status_of
from seats.selectors import (
    CategoryView,
    ChannelView,
    PlanView,
    categories_of,
    channels_of,
    plan_view,
)


@dataclass(frozen=True, slots=True)
class SeatPlace:
    """What never changes about a seat during a sale."""

    id: int
    label: str
    section: str
    row: str
    number: int
    x: float
    y: float
    category: str
    wheelchair: bool
    companion_of: int | None
    restricted_view: bool
    note: str
    area: str  # a standing area's key: this is one of its places
    table: str  # a table's key: this seat is at it
    channel: int | None


@dataclass(frozen=True, slots=True)
class Layout:
    event_id: int
    layout_version: int
    seats: list[SeatPlace]
    plan: PlanView
    channels: list[ChannelView]
    # A hash of all of the above but the version: names the content, so a
    # document cached under it can never be stale (a database reset that
    # reuses an event id and a layout version gets another digest).
    digest: str


@dataclass(frozen=True, slots=True)
class HeldGroup:
    """Seats of one running hold: one holder, one expiry."""

    holder: str
    held_until: datetime
    seat_ids: list[int]


@dataclass(frozen=True, slots=True)
class LiveState:
    """The event at `version`: its prices, and every seat that is not available."""

    event_id: int
    version: int
    layout_version: int
    categories: list[CategoryView]
    held: list[HeldGroup]
    booked: list[int]
    blocked: list[int]


_PLACE_COLUMNS = (
    "id",
    "label",
    "section",
    "row",
    "number",
    "x",
    "y",
    "category__code",
    "wheelchair",
    "companion_of_id",
    "restricted_view",
    "note",
    "area",
    "table",
    "channel_id",
)


def layout_version(event_id: int) -> int:
    """Raises Event.DoesNotExist for unknown ids."""
    return Event.objects.values_list("layout_version", flat=True).get(pk=event_id)


def layout(event_id: int) -> Layout:
    """Every seat's place and the plan, at the event's current layout version.

    The layout version is read first: the seats are at least as new as it.
    """
    version, plan_id = Event.objects.values_list("layout_version", "plan_id").get(
        pk=event_id
    )
    rows = (
        Seat.objects.filter(event_id=event_id)
        .order_by("id")
        .values_list(*_PLACE_COLUMNS)
    )
    seats = [SeatPlace(*row) for row in rows]
    plan = plan_view(plan_id, seats)
    channels = channels_of(event_id)
    content = repr(
        (
            event_id,
            [astuple(s) for s in seats],
            astuple(plan),
            [astuple(c) for c in channels],
        )
    )
    return Layout(
        event_id=event_id,
        layout_version=version,
        seats=seats,
        plan=plan,
        channels=channels,
        digest=hashlib.sha256(content.encode()).hexdigest()[:20],
    )


# Layouts read, by (event, layout version): a layout never changes under its
# version, so each process reads each one once. Bounded: events come and go.
_layouts: OrderedDict[tuple[int, int], Layout] = OrderedDict()
_LAYOUTS_KEPT = 64
_layouts_lock = threading.Lock()


def layout_at(event_id: int, version: int) -> Layout:
    """The layout at `version` (a version just read), from this process's
    memory when it has it; read (and kept) otherwise."""
    key = (event_id, version)
    with _layouts_lock:
        found = _layouts.get(key)
        if found is not None:
            _layouts.move_to_end(key)
            return found
    found = layout(event_id)
    if found.layout_version == version:
        with _layouts_lock:
            _layouts[key] = found
            while len(_layouts) > _LAYOUTS_KEPT:
                _layouts.popitem(last=False)
    return found


def live_state(event_id: int, now: datetime | None = None) -> LiveState:
    """The seats not available at `now`, grouped by status; holds by holder.

    The version is read before the seats, as in `seat_map`: the seats are at
    least as new as it. Raises Event.DoesNotExist for unknown ids.
    """
    now = now or timezone.now()
    version, layout = Event.objects.values_list("version", "layout_version").get(
        pk=event_id
    )
    rows = (
        Seat.objects.filter(event_id=event_id)
        .filter(Q(booking__isnull=False) | Q(blocked=True) | Q(held_until__gt=now))
        .order_by("id")
        .values_list("id", "holder", "held_until", "booking_id", "blocked")
    )
    held: dict[tuple[str, datetime], list[int]] = {}
    booked, blocked = [], []
    for seat_id, holder, until, booking, is_blocked in rows:
        status = status_of(
            booking_id=booking, held_until=until, now=now, blocked=is_blocked
        )
        if status is SeatStatus.BOOKED:
            booked.append(seat_id)
        elif status is SeatStatus.BLOCKED:
            blocked.append(seat_id)
        elif status is SeatStatus.HELD and until is not None:
            held.setdefault((holder, until), []).append(seat_id)
    return LiveState(
        event_id=event_id,
        version=version,
        layout_version=layout,
        categories=categories_of(event_id),
        held=[HeldGroup(h, until, ids) for (h, until), ids in held.items()],
        booked=booked,
        blocked=blocked,
    )
