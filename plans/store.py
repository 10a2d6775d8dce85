"""Plans in the database, and events made from them.

A stored plan (`SeatingPlan`) is the venue; each event made from it gets its
own seat rows, matched to the plan's seats by key. Storing a new version of
a plan changes no event: `change_event_plan` moves an event onto a plan, and
refuses when that would take away a seat someone holds or has booked.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from plans.document import (
    Plan,
    PlanRejected,
    Problem,
    area_record,
    place_key,
    standing_record,
    table_record,
    table_seats,
)
from plans.geometry import runs_of
from plans.reading import read_plan, write_plan
from seats.errors import PlanChangeRefused
from seats.models import Event, PriceCategory, Seat, SeatingPlan
from seats.services import seating
from seats.services.seating import NewCategory, PlacedSeat, max_length

# Room left around the seats when a plan does not say how big it is.
MARGIN = 40.0


def save_plan(*, plan: Plan, replace: SeatingPlan | None = None) -> SeatingPlan:
    """Store `plan` as a new SeatingPlan, or over `replace` (its events keep
    their seats until `change_event_plan`).

    Raises PlanRejected, storing nothing, when the plan does not fit the
    database (`storage_problems`: texts longer than their columns, a key
    used twice).
    """
    problems = storage_problems(plan)
    if problems:
        raise PlanRejected(problems)
    plan = _with_extent(plan)
    stored = replace if replace is not None else SeatingPlan()
    stored.name = plan.name[:200] or "Unnamed plan"
    stored.document = json.loads(write_plan(plan, "native"))
    stored.areas = [area_record(a) for zone in plan.zones for a in zone.areas]
    stored.standing = [standing_record(z, a) for z, a in plan.standing()]
    stored.tables = [table_record(z, t) for z, t in plan.tables()]
    stored.width = plan.width
    stored.height = plan.height
    stored.seat_count = plan.places()
    with transaction.atomic():
        stored.save()
    return stored


def plan_of(stored: SeatingPlan) -> Plan:
    """The stored plan in memory, as it was saved."""
    return read_plan(json.dumps(stored.document).encode(), format="native").plan


def create_event(
    *,
    plan: SeatingPlan,
    name: str,
    starts_at: datetime,
    prices: Mapping[str, Decimal] | None = None,
    currency: str = "EUR",
    avoid_single_seats: bool = True,
) -> Event:
    """A new event with one seat per plan seat and one price category per plan
    category (priced from `prices` by code, 0 otherwise). All or nothing.

    Raises ValueError for a price whose code is not a category of the plan.
    """
    document = plan_of(plan)
    prices = dict(prices or {})
    unknown = sorted(set(prices) - {c.code for c in document.categories})
    if unknown:
        known = ", ".join(c.code for c in document.categories)
        raise ValueError(
            f"No category {', '.join(unknown)} in plan {plan.name!r} (it has: {known})."
        )
    return seating.create_event(
        name=name,
        starts_at=starts_at,
        plan=plan,
        avoid_single_seats=avoid_single_seats,
        categories=[
            NewCategory(
                code=c.code,
                name=c.name or c.code,
                color=c.color,
                price=prices.get(c.code, Decimal("0")),
                currency=currency,
            )
            for c in document.categories
        ],
        seats=place_seats(document),
    )


def change_event_plan(*, event: Event, plan: SeatingPlan, now: datetime) -> None:
    """Move `event` onto `plan`, matching seats by key: all or nothing.

    `seats.services.seating.apply_layout` does it (PlanChangeRefused when a
    held or booked seat would vanish); every open map reloads.
    """
    document = plan_of(plan)
    seating.apply_layout(
        event=event,
        plan=plan,
        categories=[
            NewCategory(code=c.code, name=c.name or c.code, color=c.color)
            for c in document.categories
        ],
        seats=place_seats(document),
        now=now,
    )


def replace_plan(*, stored: SeatingPlan, plan: Plan, now: datetime) -> list[Event]:
    """A new version of a stored plan, and every event made from it follows.

    All or nothing: if any event would lose a held or booked seat, that
    event's PlanChangeRefused is raised and neither the plan nor any event
    changes. Returns the events moved.
    """
    try:
        with transaction.atomic():
            save_plan(plan=plan, replace=stored)
            events = list(Event.objects.filter(plan=stored).order_by("pk"))
            for event in events:
                change_event_plan(event=event, plan=stored, now=now)
    except PlanChangeRefused:
        stored.refresh_from_db()  # the rolled-back version was written onto it
        raise
    return events


def place_seats(plan: Plan) -> list[PlacedSeat]:
    """Every plan seat as a seat row: number, unique label, run and position.

    Labels are the seat's own label or row + number, prefixed with the zone
    name when more than one zone has seats; a clash gets " #2", " #3", ...
    """
    max_label = max_length(Seat, "label")
    zoned = sum(1 for z in plan.zones if any(r.seats for r in z.rows)) > 1
    taken_labels: set[str] = set()
    taken_runs: set[str] = set()
    placed: list[PlacedSeat] = []
    for zone in plan.zones:
        for row in zone.rows:
            run_base = _unique(f"{zone.name}/{row.name}", taken_runs, limit=100)
            positions = {s.key: i for i, s in enumerate(row.seats, start=1)}
            for run_index, run in enumerate(runs_of(row)):
                for run_position, seat in enumerate(run):
                    number = _number(seat.number, positions[seat.key])
                    label = seat.label or f"{row.name}{seat.number or number}"
                    if zoned and zone.name:
                        label = f"{zone.name} {label}"
                    placed.append(
                        PlacedSeat(
                            key=seat.key,
                            section=zone.name,
                            row=row.name,
                            number=number,
                            label=_unique(label, taken_labels, limit=max_label),
                            x=seat.x,
                            y=seat.y,
                            run=f"{run_base}/{run_index}",
                            run_position=run_position,
                            category=seat.category,
                            wheelchair=seat.wheelchair,
                            companion_of=seat.companion_of,
                            restricted_view=seat.restricted_view,
                            note=seat.note,
                        )
                    )
    for zone, table in plan.tables():
        # Seats around a table: no run (the single-seat rule is for rows);
        # sold whole or seat by seat (Seat.whole_table), as the table says.
        for key, number, x, y in table_seats(table):
            placed.append(
                PlacedSeat(
                    key=key,
                    section=zone.name,
                    row=table.name[: max_length(Seat, "row")],
                    number=number,
                    label=_unique(
                        f"{table.name}-{number}", taken_labels, limit=max_label
                    ),
                    x=x,
                    y=y,
                    run="",
                    run_position=0,
                    category=table.category,
                    table=table.key,
                    whole_table=table.booking == "whole",
                )
            )
    for zone, area in plan.standing():
        # Each place a row of its own (docs/plans.md, "Standing areas"): no
        # run (no neighbours), at the outline's anchor, which the map never
        # draws one by one.
        for number in range(1, area.capacity + 1):
            placed.append(
                PlacedSeat(
                    key=place_key(area.key, number),
                    section=zone.name,
                    row="",
                    number=number,
                    label=_unique(
                        f"{area.name} {number}", taken_labels, limit=max_label
                    ),
                    x=area.outline.x,
                    y=area.outline.y,
                    run="",
                    run_position=0,
                    category=area.category,
                    area=area.key,
                )
            )
    return placed


def _number(printed: str, position: int) -> int:
    """The printed number when it is one (and fits the column), else the position."""
    if printed.isascii() and printed.isdigit() and len(printed) <= 9:
        return int(printed)
    return position


def _unique(text: str, taken: set[str], *, limit: int) -> str:
    """`text` (cut to `limit`), or with the first free " #n" suffix; now taken."""
    candidate = text[:limit]
    suffix = 1
    while candidate in taken:
        suffix += 1
        tail = f" #{suffix}"
        candidate = text[: limit - len(tail)] + tail
    taken.add(candidate)
    return candidate


def _with_extent(plan: Plan) -> Plan:
    """The plan with a size: its own, or its seats' extent plus a margin."""
    if plan.width > 0 and plan.height > 0:
        return dataclasses.replace(
            plan, width=float(plan.width), height=float(plan.height)
        )
    seats = [s for _, _, s in plan.seats()]
    width = max((s.x for s in seats), default=0.0) + MARGIN
    height = max((s.y for s in seats), default=0.0) + MARGIN
    return dataclasses.replace(
        plan,
        width=plan.width if plan.width > 0 else width,
        height=plan.height if plan.height > 0 else height,
    )


def storage_problems(plan: Plan) -> list[Problem]:
    """What in `plan` the database cannot hold: long texts, keys used twice."""
    limits = {
        "key": max_length(Seat, "key"),
        "section": max_length(Seat, "section"),
        "row": max_length(Seat, "row"),
        "note": max_length(Seat, "note"),
        "code": max_length(PriceCategory, "code"),
        "name": max_length(PriceCategory, "name"),
        "color": max_length(PriceCategory, "color"),
    }
    problems = []
    first_use: dict[str, str] = {}
    capacities: dict[str, tuple[int, str]] = {}

    def check(where: str, field: str, value: str, limit_name: str) -> None:
        if len(value) > limits[limit_name]:
            problems.append(
                Problem(
                    f"{where}.{field}",
                    f"longer than {limits[limit_name]} characters",
                )
            )

    for i, category in enumerate(plan.categories):
        for field in ("code", "name", "color"):
            check(f"$.categories[{i}]", field, getattr(category, field), field)
    for z, zone in enumerate(plan.zones):
        check(f"$.zones[{z}]", "name", zone.name, "section")
        for r, row in enumerate(zone.rows):
            check(f"$.zones[{z}].rows[{r}]", "name", row.name, "row")
            for s, seat in enumerate(row.seats):
                where = f"$.zones[{z}].rows[{r}].seats[{s}]"
                check(where, "key", seat.key, "key")
                if seat.key in first_use:
                    problems.append(
                        Problem(
                            f"{where}.key",
                            f"{seat.key!r} is already the key of {first_use[seat.key]}",
                        )
                    )
                first_use.setdefault(seat.key, where)
                check(where, "note", seat.note, "note")
        for t, table in enumerate(zone.tables):
            where = f"$.zones[{z}].tables[{t}]"
            for key, _, _, _ in table_seats(table):
                check(where, "key", key, "key")
                if key in first_use:
                    problems.append(
                        Problem(
                            f"{where}.key",
                            f"its seats' key {key!r} is already the key of "
                            f"{first_use[key]}",
                        )
                    )
                first_use.setdefault(key, where)
        for a, area in enumerate(zone.standing):
            where = f"$.zones[{z}].standing[{a}]"
            check(where, "key", place_key(area.key, area.capacity), "key")
            capacities[area.key] = (area.capacity, where)
    for key, where in first_use.items():
        # A seat keyed like a place ("floor#3") would be one row with it.
        area_key, _, number = key.rpartition("#")
        capacity, area_where = capacities.get(area_key, (0, ""))
        if number.isdigit() and 1 <= int(number) <= capacity:
            problems.append(
                Problem(
                    f"{where}.key",
                    f"{key!r} is the key of a place of the standing area at "
                    f"{area_where}",
                )
            )
    return problems
