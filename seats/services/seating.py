"""An event's seats laid out: a new event with its seats, or a new layout.

The plan formats and their checks live in the plans app; what reaches the
domain is a list of `PlacedSeat`s (every seat with its place, label, run
and flags) and the categories they are priced in. Laying out an existing
event is a change like any other: locked in the order of every service,
refused when a seat someone holds or has booked would vanish, one version,
announced (`plan_changed`: clients reload the map).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import models, transaction
from django.db.models import F

from seats.errors import PlanChangeRefused
from seats.models import Event, PriceCategory, Seat, SeatingPlan, SeatStatus
from seats.services.changes import PLAN_CHANGED, chunks, record_change
from seats.services.locking import locked_transaction, retried_after_deadlock
from seats.statistics import analyze_seats_on_commit

# Rows per INSERT/UPDATE: a 100,000-seat plan is a hundred statements.
BATCH = 1000

# Seat columns a layout decides (the rest is the event's: hold and booking).
LAYOUT_FIELDS = (
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
    "area",
    "table",
    "whole_table",
)


@dataclass(frozen=True, slots=True)
class PlacedSeat:
    """A seat as an event's seat row gets it (everything but its state)."""

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
    wheelchair: bool = False
    companion_of: str | None = None  # a key
    restricted_view: bool = False
    note: str = ""
    area: str = ""  # a standing area's key: this is one of its places
    table: str = ""  # a table's key: this seat is at it
    whole_table: bool = False  # ... which is sold whole


@dataclass(frozen=True, slots=True)
class NewCategory:
    code: str
    name: str
    price: Decimal = Decimal("0")
    currency: str = "EUR"
    color: str = ""


def create_event(
    *,
    name: str,
    starts_at: datetime,
    categories: Sequence[NewCategory],
    seats: Sequence[PlacedSeat],
    plan: SeatingPlan | None = None,
    avoid_single_seats: bool = True,
) -> Event:
    """A new event with these categories and one seat row per placed seat.

    All or nothing. Nothing is announced: nobody watches an event that did
    not exist.
    """
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
                price=c.price,
                currency=c.currency,
            ).id
            for c in categories
        }
        Seat.objects.bulk_create(
            (_new_seat(event.id, p, category_ids) for p in seats), batch_size=BATCH
        )
        analyze_seats_on_commit()
        if any(p.companion_of for p in seats):
            _link_companions(event.id, seats, current={})
    return event


@retried_after_deadlock
def apply_layout(
    *,
    event: Event,
    plan: SeatingPlan,
    categories: Sequence[NewCategory],
    seats: Sequence[PlacedSeat],
    now: datetime,
) -> int:
    """Move `event` onto this layout, matching seats by key: all or nothing.

    Refused (PlanChangeRefused, nothing changed) when a seat that is held or
    booked at `now` has no key in the new layout. Otherwise seats that
    vanish are deleted, kept seats take the new geometry, labels, flags and
    category (their id and hold state stay), new seats are added, and so are
    missing categories (at price 0). One change (`plan_changed`): a new
    version, announced, so every map reloads. Returns that version.
    """
    placed = {p.key: p for p in seats}
    with locked_transaction():
        # Every seat of the event, locked in primary-key order like every
        # service locks them; the event row comes last (the version bump).
        current = list(
            Seat.objects.select_for_update().filter(event_id=event.id).order_by("pk")
        )
        vanishing = [s for s in current if s.key not in placed]
        taken = [s for s in vanishing if s.status_at(now) != SeatStatus.AVAILABLE]
        if taken:
            raise PlanChangeRefused(
                labels=[s.label for s in taken],
                seat_ids=[s.id for s in taken],
                event=event.name,
            )
        category_ids = _ensure_categories(event, categories)
        for batch in chunks([s.id for s in vanishing]):
            Seat.objects.filter(id__in=batch).delete()
        kept = [s for s in current if s.key in placed]
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
        Event.objects.filter(pk=event.pk).update(
            plan=plan, layout_version=F("layout_version") + 1
        )
        version = record_change(
            event_id=event.id, reason=PLAN_CHANGED, groups=(), now=now
        )
        analyze_seats_on_commit()
    event.refresh_from_db(fields=["plan", "version", "layout_version"])
    return version


def max_length(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length


def _new_seat(
    event_id: int, placed: PlacedSeat, category_ids: Mapping[str, int]
) -> Seat:
    seat = Seat(event_id=event_id, key=placed.key)
    _copy_layout_fields(seat, placed, category_ids)
    return seat


def _copy_layout_fields(
    seat: Seat, placed: PlacedSeat, category_ids: Mapping[str, int]
) -> bool:
    """Give `seat` the layout's values; True when anything changed."""
    values: dict[str, object] = {
        name: getattr(placed, name) for name in LAYOUT_FIELDS if name != "category"
    }
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
    """Write the layout's values onto the seats that stay, changed ones only."""
    relabelled = [s for s in kept if s.label != placed[s.key].label]
    if relabelled:
        # Labels are unique per event and checked row by row: park the moving
        # ones on labels no plan produces, so two seats can swap labels.
        for seat in relabelled:
            seat.label = f"\t{seat.id}"
        Seat.objects.bulk_update(relabelled, ["label"], batch_size=BATCH)
    changed = [s for s in kept if _copy_layout_fields(s, placed[s.key], category_ids)]
    Seat.objects.bulk_update(changed, list(LAYOUT_FIELDS), batch_size=BATCH)


def _link_companions(
    event_id: int,
    placed: Iterable[PlacedSeat],
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


def _ensure_categories(
    event: Event, categories: Sequence[NewCategory]
) -> dict[str, int]:
    """Category ids by code, adding the missing ones at price 0."""
    existing = {c.code: c for c in PriceCategory.objects.filter(event=event)}
    currency = next(iter(existing.values())).currency if existing else "EUR"
    for c in categories:
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
