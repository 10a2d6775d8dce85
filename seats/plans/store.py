"""Plans in the database, and events made from them.

A stored plan (`SeatingPlan`) is the venue; each event made from it gets its
own seat rows, matched to the plan's seats by key. Storing a new version of
a plan changes no event: `change_event_plan` moves an event onto a plan, and
refuses when that would take away a seat someone holds or has booked.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import models, transaction
from django.db.models import F

from seats.errors import SeatError
from seats.models import Event, PriceCategory, Seat, SeatingPlan, SeatStatus
from seats.plans.document import Plan, PlanRejected, Problem, area_record
from seats.plans.geometry import runs_of
from seats.plans.reading import read_plan, write_plan
from seats.services.changes import chunks
from seats.services.locking import locked_transaction
from seats.statistics import analyze_seats_on_commit

# Rows per INSERT/UPDATE: a 100,000-seat plan is a hundred statements.
BATCH = 1000
# Room left around the seats when a plan does not say how big it is.
MARGIN = 40.0

# Seat columns a plan decides (the rest is the event's: hold and booking).
PLAN_FIELDS = (
    "section",
    "row",
    "number",
    "label",
    "x",
    "y",
    "run",
    "run_position",
    "category",
    "wheelchair",
    "restricted_view",
    "note",
)


class PlanChangeRefused(SeatError):
    """The new plan lacks seats that are held or booked; `labels` names them."""

    code = "plan_change_refused"
    default_message = (
        "The new plan lacks seats that are held or booked; nothing changed."
    )

    def __init__(
        self, *, labels: Sequence[str], seat_ids: Iterable[int], event: str = ""
    ) -> None:
        self.labels = list(labels)
        self.event = event
        shown = ", ".join(self.labels[:20])
        more = len(self.labels) - 20
        if more > 0:
            shown += f" and {more} more"
        prefix = f"{event}: the" if event else "The"
        super().__init__(
            f"{prefix} new plan lacks {len(self.labels)} held or booked seat(s): "
            f"{shown}. Nothing changed.",
            seat_ids=seat_ids,
        )


@dataclass(frozen=True, slots=True)
class PlacedSeat:
    """A plan seat as an event's seat row gets it (everything but state)."""

    key: str
    section: str
    row: str
    number: int
    label: str
    x: float
    y: float
    run: str
    run_position: int
    category: str  # the category code
    wheelchair: bool
    companion_of: str | None  # a key
    restricted_view: bool
    note: str


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
    stored.width = plan.width
    stored.height = plan.height
    stored.seat_count = len(plan.seats())
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
    placed = place_seats(document)
    with transaction.atomic():
        event = Event.objects.create(
            name=name,
            starts_at=starts_at,
            plan=plan,
            avoid_single_seats=avoid_single_seats,
        )
        category_ids = {
            c.code: PriceCategory.objects.create(
                event=event,
                code=c.code,
                name=c.name or c.code,
                color=c.color,
                price=prices.get(c.code, Decimal("0")),
                currency=currency,
            ).id
            for c in document.categories
        }
        Seat.objects.bulk_create(
            (_new_seat(event.id, p, category_ids) for p in placed), batch_size=BATCH
        )
        analyze_seats_on_commit()
        _link_companions(event.id, placed, current={})
    return event


def change_event_plan(*, event: Event, plan: SeatingPlan, now: datetime) -> None:
    """Move `event` onto `plan`, matching seats by key: all or nothing.

    Refused (PlanChangeRefused, nothing changed) when a seat that is held or
    booked at `now` has no key in the new plan. Otherwise seats that vanish
    are deleted, kept seats take the plan's geometry, labels, flags and
    category (their id and hold state stay), new seats are added, and so are
    missing categories (at price 0). The event's version goes up by one with
    no announcement: clients see the gap in their next heartbeat and reload
    the snapshot.
    """
    document = plan_of(plan)
    placed = {p.key: p for p in place_seats(document)}
    with locked_transaction():
        # Every seat of the event, locked in primary-key order like every
        # service locks them; the event row comes last (the version bump).
        seats = list(
            Seat.objects.select_for_update().filter(event_id=event.id).order_by("pk")
        )
        vanishing = [s for s in seats if s.key not in placed]
        taken = [s for s in vanishing if s.status_at(now) != SeatStatus.AVAILABLE]
        if taken:
            raise PlanChangeRefused(
                labels=[s.label for s in taken],
                seat_ids=[s.id for s in taken],
                event=event.name,
            )
        category_ids = _ensure_categories(event, document)
        for batch in chunks([s.id for s in vanishing]):
            Seat.objects.filter(id__in=batch).delete()
        kept = [s for s in seats if s.key in placed]
        _update_kept(kept, placed, category_ids)
        existing = {s.key for s in kept}
        Seat.objects.bulk_create(
            (
                _new_seat(event.id, p, category_ids)
                for key, p in placed.items()
                if key not in existing
            ),
            batch_size=BATCH,
        )
        _link_companions(
            event.id,
            list(placed.values()),
            current={s.key: s.companion_of_id for s in kept},
        )
        Event.objects.filter(pk=event.pk).update(plan=plan, version=F("version") + 1)
        analyze_seats_on_commit()
    event.refresh_from_db(fields=["plan", "version"])


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
    max_label = _max_length(Seat, "label")
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


def _new_seat(
    event_id: int, placed: PlacedSeat, category_ids: Mapping[str, int]
) -> Seat:
    seat = Seat(event_id=event_id, key=placed.key)
    _copy_plan_fields(seat, placed, category_ids)
    return seat


def _copy_plan_fields(
    seat: Seat, placed: PlacedSeat, category_ids: Mapping[str, int]
) -> bool:
    """Give `seat` the plan's values; True when anything changed."""
    values = {name: getattr(placed, name) for name in PLAN_FIELDS if name != "category"}
    values["category_id"] = category_ids[placed.category]
    changed = any(getattr(seat, name, None) != value for name, value in values.items())
    for name, value in values.items():
        setattr(seat, name, value)
    return changed


def _update_kept(
    kept: list[Seat],
    placed: Mapping[str, PlacedSeat],
    category_ids: Mapping[str, int],
) -> None:
    """Write the plan's values onto the seats that stay, touching changed ones only."""
    relabelled = [s for s in kept if s.label != placed[s.key].label]
    if relabelled:
        # Labels are unique per event and checked row by row: park the moving
        # ones on labels no plan produces, so two seats can swap labels.
        for seat in relabelled:
            seat.label = f"\t{seat.id}"
        Seat.objects.bulk_update(relabelled, ["label"], batch_size=BATCH)
    changed = [s for s in kept if _copy_plan_fields(s, placed[s.key], category_ids)]
    Seat.objects.bulk_update(changed, list(PLAN_FIELDS), batch_size=BATCH)


def _link_companions(
    event_id: int,
    placed: Sequence[PlacedSeat],
    *,
    current: Mapping[str, int | None],
) -> None:
    """Point each companion seat at its wheelchair space's id (second pass:
    the ids exist only once every seat is written). `current` holds the
    companion ids seats already have, so only changes are written."""
    ids = dict(Seat.objects.filter(event_id=event_id).values_list("key", "id"))
    updates = []
    for p in placed:
        wanted = ids.get(p.companion_of) if p.companion_of else None
        if current.get(p.key) != wanted:
            updates.append(Seat(id=ids[p.key], companion_of_id=wanted))
    Seat.objects.bulk_update(updates, ["companion_of"], batch_size=BATCH)


def _ensure_categories(event: Event, plan: Plan) -> dict[str, int]:
    """Category ids by code, adding the plan's missing ones at price 0."""
    existing = {c.code: c for c in PriceCategory.objects.filter(event=event)}
    currency = next(iter(existing.values())).currency if existing else "EUR"
    for c in plan.categories:
        if c.code not in existing:
            existing[c.code] = PriceCategory.objects.create(
                event=event,
                code=c.code,
                name=c.name or c.code,
                color=c.color,
                price=Decimal("0"),
                currency=currency,
            )
    return {code: c.id for code, c in existing.items()}


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
        "key": _max_length(Seat, "key"),
        "section": _max_length(Seat, "section"),
        "row": _max_length(Seat, "row"),
        "note": _max_length(Seat, "note"),
        "code": _max_length(PriceCategory, "code"),
        "name": _max_length(PriceCategory, "name"),
        "color": _max_length(PriceCategory, "color"),
    }
    problems = []
    first_use: dict[str, str] = {}

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
    return problems


def _max_length(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length
