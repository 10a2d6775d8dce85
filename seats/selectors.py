"""Reads for the seat map, the event list and the staff dashboard.

Selectors return plain data (the dataclasses below); the edges (HTTP views,
WebSocket consumers) turn it into wire frames through `wire.frames`. Every
status is computed against `now` by the rule in `seats.models.status_of`: a
hold past its time reads as available here even before the sweeper has run.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils import timezone

from seats import ordering
from seats.models import (
    Event,
    Hold,
    PriceCategory,
    SalesChannel,
    Seat,
    SeatingPlan,
    SeatStatus,
    WaitingRoom,
    status_of,
    status_q,
)
from seats.sql import aware, prepared_cursor


@dataclass(frozen=True, slots=True)
class CategoryView:
    code: str
    name: str
    price: Decimal
    currency: str
    color: str = ""


@dataclass(frozen=True, slots=True)
class ChannelView:
    """A sales channel as the map shows it: public (docs/presales.md)."""

    id: int
    name: str
    releases_at: datetime | None


@dataclass(frozen=True, slots=True)
class PlanView:
    """What the map draws besides seats: the plan's size and its shapes.

    `areas` are the plan's drawn shapes as stored with it (see
    plans.store); venues built in code have none.
    """

    name: str | None
    width: float
    height: float
    areas: list[dict[str, Any]]
    # Standing areas as stored with the plan (plans.document.standing_record).
    standing: list[dict[str, Any]] = field(default_factory=list)
    # Tables as stored with the plan (plans.document.table_record).
    tables: list[dict[str, Any]] = field(default_factory=list)


class HasPlace(Protocol):
    @property
    def x(self) -> float: ...
    @property
    def y(self) -> float: ...


@dataclass(frozen=True, slots=True)
class SeatView:
    """A seat as everyone sees it at one moment."""

    id: int
    label: str
    section: str
    row: str
    number: int
    x: float
    y: float
    category: str
    status: SeatStatus
    # Set only while held.
    holder: str | None
    held_until: datetime | None
    wheelchair: bool = False
    companion_of: int | None = None
    restricted_view: bool = False
    note: str = ""
    area: str = ""  # a standing area's key: this is one of its places
    table: str = ""  # a table's key: this seat is at it
    # The sales channel keeping the seat (None: general sale); whether the
    # channel is still active is for the reader to judge against the clock.
    channel: int | None = None


@dataclass(frozen=True, slots=True)
class OwnHold:
    held_until: datetime
    max_until: datetime
    seat_ids: list[int]


@dataclass(frozen=True, slots=True)
class SeatMap:
    event_id: int
    version: int
    viewer: str | None
    now: datetime
    hold: OwnHold | None
    categories: list[CategoryView]
    seats: list[SeatView]
    plan: PlanView | None = None
    channels: list[ChannelView] = field(default_factory=list)
    # The event's channels the viewer unlocked.
    channels_unlocked: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EventSummary:
    id: int
    name: str
    starts_at: datetime
    version: int
    total: int
    available: int
    held: int
    booked: int
    blocked: int


@dataclass(frozen=True, slots=True)
class RunningHold:
    id: int
    event_id: int
    holder: str
    seat_labels: list[str]
    expires_at: datetime
    # Whom the box office keeps the seats for; "" for a customer's hold.
    held_for: str = ""


@dataclass(frozen=True, slots=True)
class DashboardState:
    now: datetime
    events: list[EventSummary]
    holds: list[RunningHold]


_SEAT_COLUMNS = (
    "id",
    "label",
    "section",
    "row",
    "number",
    "x",
    "y",
    "category__code",
    "holder",
    "held_until",
    "booking_id",
    "blocked",
    "wheelchair",
    "companion_of_id",
    "restricted_view",
    "note",
    "area",
    "table",
    "channel_id",
)


def seat_map(
    *,
    event_id: int,
    viewer: str | None,
    now: datetime | None = None,
    unlocked: Collection[int] = (),
) -> SeatMap:
    """One event's seats as `viewer` sees them (`unlocked`: the sales
    channels the viewer unlocked, as the session says).

    The version is read before the seats, so the seats are at least as new as
    the version: replaying later changes (absolute states) on top converges
    to the truth. Raises Event.DoesNotExist for unknown ids.
    """
    now = now or timezone.now()
    version, plan_id = Event.objects.values_list("version", "plan_id").get(pk=event_id)
    categories = categories_of(event_id)
    rows = (
        Seat.objects.filter(event_id=event_id)
        .order_by("id")
        .values_list(*_SEAT_COLUMNS)
    )
    seats = []
    for (
        sid,
        label,
        section,
        row,
        number,
        x,
        y,
        category,
        holder,
        until,
        booking,
        blocked,
        wheelchair,
        companion_of,
        restricted_view,
        note,
        area,
        table,
        channel,
    ) in rows:
        status = status_of(
            booking_id=booking, held_until=until, now=now, blocked=blocked
        )
        held = status is SeatStatus.HELD
        seats.append(
            SeatView(
                id=sid,
                label=label,
                section=section,
                row=row,
                number=number,
                x=x,
                y=y,
                category=category,
                status=status,
                holder=holder if held else None,
                held_until=until if held else None,
                wheelchair=wheelchair,
                companion_of=companion_of,
                restricted_view=restricted_view,
                note=note,
                area=area,
                table=table,
                channel=channel,
            )
        )
    channels = channels_of(event_id)
    return SeatMap(
        event_id=event_id,
        version=version,
        viewer=viewer,
        now=now,
        hold=own_hold(event_id=event_id, holder=viewer, now=now),
        categories=categories,
        seats=seats,
        plan=plan_view(plan_id, seats),
        channels=channels,
        channels_unlocked=unlocked_of(channels, unlocked),
    )


def channels_of(event_id: int) -> list[ChannelView]:
    """The event's sales channels, in id order."""
    return [
        ChannelView(*row)
        for row in SalesChannel.objects.filter(event_id=event_id)
        .order_by("id")
        .values_list("id", "name", "releases_at")
    ]


def unlocked_of(
    channels: Iterable[ChannelView], unlocked: Collection[int]
) -> list[int]:
    """Those of the event's `channels` among `unlocked` (a session may name
    channels since deleted, or of other events), in id order."""
    return [c.id for c in channels if c.id in unlocked]


def plan_view(plan_id: int | None, seats: Sequence[HasPlace]) -> PlanView:
    """The event's plan; for venues built in code, the seats' own extent."""
    if plan_id is not None:
        plan = SeatingPlan.objects.only(
            "name", "width", "height", "areas", "standing", "tables"
        ).get(pk=plan_id)
        return PlanView(
            plan.name,
            plan.width,
            plan.height,
            list(plan.areas),
            list(plan.standing),
            list(plan.tables),
        )
    width = max((s.x for s in seats), default=0) + 1
    height = max((s.y for s in seats), default=0) + 1
    return PlanView(None, width, height, [])


def event_versions(event_ids: Iterable[int]) -> dict[int, int]:
    """The current version of each event (unknown ids are left out)."""
    return dict(
        Event.objects.filter(id__in=list(event_ids)).values_list("id", "version")
    )


def event_version(event_id: int) -> int:
    """The event's current version; raises Event.DoesNotExist for unknown ids.

    In plain SQL: every arriving socket and every ping asks this, and an
    on-sale's thousands of arrivals paid more for the ORM's query building
    than for the query.
    """
    table = connection.ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE id = %s", [event_id])
        row = cursor.fetchone()
    if row is None:
        raise Event.DoesNotExist(f"no event {event_id}")
    return int(row[0])


@dataclass(frozen=True, slots=True)
class NextDue:
    """What the sweeper waits for next: the end of the first running hold,
    and the opening of the first waiting room that is on and not open yet;
    and whether it has work now (`lapsed`: a seat still in a hold whose
    time has passed, or a spent hold row, as `release_expired` finds them)."""

    expiry: datetime | None
    opening: datetime | None
    lapsed: bool = False


def next_due(now: datetime) -> NextDue:
    """When the next running hold ends and the next waiting room opens, and
    whether anything has lapsed, as of `now`: the sweeper asks this twice a
    second and sweeps only when there is something to release, so it is
    one statement of plain SQL (the ORM's query building cost ten times
    the query).

    The same rules as `Seat.objects.held_at` (a hold, not booked, not
    blocked, its time not passed), `seats.waiting.next_opening` and the
    sweep's own queries (`services.release_expired`);
    tests/seats/test_next_due.py holds them together.
    """
    seat = connection.ops.quote_name(Seat._meta.db_table)
    room = connection.ops.quote_name(WaitingRoom._meta.db_table)
    hold = connection.ops.quote_name(Hold._meta.db_table)
    moment = connection.ops.adapt_datetimefield_value(now)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MIN(s.held_until) FROM {seat} s "
            "WHERE s.hold_id IS NOT NULL AND s.booking_id IS NULL "
            "AND NOT s.blocked AND s.held_until > %s), "
            f"(SELECT MIN(w.opens_at) FROM {room} w "
            "WHERE w.enabled AND w.opens_at > %s), "
            f"EXISTS (SELECT 1 FROM {seat} s "
            "WHERE s.hold_id IS NOT NULL AND s.held_until <= %s) "
            f"OR EXISTS (SELECT 1 FROM {hold} h WHERE h.expires_at <= %s "
            f"AND NOT EXISTS (SELECT 1 FROM {seat} s WHERE s.hold_id = h.id))",
            [moment, moment, moment, moment],
        )
        expiry, opening, lapsed = cursor.fetchone()
    return NextDue(aware(expiry), aware(opening), bool(lapsed))


def own_hold(*, event_id: int, holder: str | None, now: datetime) -> OwnHold | None:
    """The holder's running hold on the event, or None."""
    if not holder:
        return None
    hold = Hold.objects.running_for(event_id, holder, now).first()
    if hold is None:
        return None
    seat_ids = sorted(
        Seat.objects.filter(hold=hold).held_at(now).values_list("id", flat=True)
    )
    if not seat_ids:
        return None
    return OwnHold(
        held_until=hold.expires_at, max_until=hold.max_expires_at, seat_ids=seat_ids
    )


def events_with_counts(now: datetime | None = None) -> QuerySet[Event]:
    """Events annotated with seat_count and held, booked, blocked and
    available counts (`<status>_count`)."""
    now = now or timezone.now()

    def counted(status: SeatStatus) -> Count:
        return Count("seats", filter=status_q(status, now, via="seats__"))

    return (
        Event.objects.annotate(
            seat_count=Count("seats"),
            booked_count=counted(SeatStatus.BOOKED),
            held_count=counted(SeatStatus.HELD),
            blocked_count=counted(SeatStatus.BLOCKED),
        )
        .annotate(
            available_count=F("seat_count")
            - F("held_count")
            - F("booked_count")
            - F("blocked_count")
        )
        .order_by("starts_at", "id")
    )


def event_summaries(now: datetime | None = None) -> list[EventSummary]:
    return _summaries(events_with_counts(now or timezone.now()))


def _summaries(events: QuerySet[Event]) -> list[EventSummary]:
    # Annotated rows: the counts are attributes the model does not declare.
    counted: Iterable[Any] = events
    return [
        EventSummary(
            id=e.id,
            name=e.name,
            starts_at=e.starts_at,
            version=e.version,
            total=e.seat_count,
            available=e.available_count,
            held=e.held_count,
            booked=e.booked_count,
            blocked=e.blocked_count,
        )
        for e in counted
    ]


def running_holds(
    now: datetime | None = None, *, limit: int = 500
) -> list[RunningHold]:
    """Running holds, soonest to expire first, with their seat labels."""
    now = now or timezone.now()
    holds = (
        Hold.objects.running_at(now)
        .order_by("expires_at", "id")
        .prefetch_related("seats")[:limit]
    )
    result = []
    for hold in holds:
        held = [s for s in hold.seats.all() if s.status_at(now) is SeatStatus.HELD]
        # Plan order (seats.ordering), its rows ranked by the held seats alone.
        seats = ordering.in_plan_order(held, ordering.row_ranks(held))
        if seats:
            result.append(
                RunningHold(
                    id=hold.id,
                    event_id=hold.event_id,
                    holder=hold.holder,
                    seat_labels=[s.label for s in seats],
                    expires_at=hold.expires_at,
                    held_for=hold.held_for,
                )
            )
    return result


def dashboard_state(now: datetime | None = None) -> DashboardState:
    now = now or timezone.now()
    return DashboardState(
        now=now, events=event_summaries(now), holds=running_holds(now)
    )


def categories_of(event_id: int) -> list[CategoryView]:
    return [
        CategoryView(
            code=c.code,
            name=c.name,
            price=c.price,
            currency=c.currency,
            color=c.color,
        )
        for c in PriceCategory.objects.filter(event_id=event_id)
    ]


def handed_over_token(
    *, event_id: int, holder: str | None, now: datetime
) -> str | None:
    """The token of the holder's running hold on the event (with a seat still
    held at `now`), for the checkout hand-off; None when there is none."""
    if not holder:
        return None
    held = Seat.objects.filter(hold=OuterRef("pk")).held_at(now)
    return (
        Hold.objects.running_for(event_id, holder, now)
        .filter(Exists(held))
        .values_list("token", flat=True)
        .first()
    )
