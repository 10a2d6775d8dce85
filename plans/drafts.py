"""Drafts: what the plan editor saves, checks and publishes.

A draft is saved as drawn, problems and all, so nothing is lost while a hall
is half drawn; every save is checked (the import's own checks: schema, keys
and labels, spots, zones, categories, companions, standing areas, tables)
and the problems go back to the editor with the seats they concern.
Publishing makes the draft the plan through the same path as importing a new
version (`plans.store.replace_plan`): every event made from the plan follows
it, and a held or booked seat the draft removes refuses the whole publish.

Two editors: each save names the revision it started from; a newer one
refuses it (`DraftChanged`) unless the editor chose to save over it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from plans.checks import check_plan
from plans.document import PlanRejected, Problem, table_seats
from plans.models import PlanDraft, PlanEditing
from plans.native import read_native
from plans.reading import MAX_SEATS, read_plan
from plans.store import replace_plan, storage_problems
from seats.models import Event, SeatingPlan

# Someone who opened or saved the draft this recently is editing it.
PRESENCE_SECONDS = 30
NEW_PLAN_SIZE = {"width": 1200, "height": 900}

_SEAT_PATH = re.compile(r"^\$\.zones\[(\d+)\]\.rows\[(\d+)\](?:\.seats\[(\d+)\])?")


class DraftChanged(Exception):
    """Someone saved a newer revision than the one the edit started from."""

    def __init__(self, draft: PlanDraft) -> None:
        super().__init__(f"revision {draft.revision} saved by {draft.saved_by}")
        self.draft = draft


class DraftInvalid(Exception):
    """The document is not a plan document at all (the schema refuses it)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:3]))
        self.problems = problems


@dataclass(frozen=True)
class DraftProblem:
    where: str
    message: str
    seat_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Counts:
    seats: int
    places: int
    by_category: dict[str, int]
    by_zone: dict[str, int]


@dataclass(frozen=True)
class DraftView:
    """A draft as the editor gets it: checked, counted, with who else edits."""

    draft: PlanDraft
    problems: list[DraftProblem]
    counts: Counts
    editors: list[tuple[str, datetime]]
    events: list[Event]


def new_plan(name: str) -> SeatingPlan:
    """An empty plan to draw: one zone, one category, no seats (not sellable
    until a publish gives it seats)."""
    name = name.strip()[:200] or "New plan"
    document = {
        "format": "seats-plan",
        "version": 1,
        "name": name,
        "size": dict(NEW_PLAN_SIZE),
        "categories": [{"code": "standard", "name": "Standard", "color": "#3b82f6"}],
        "zones": [
            {
                "name": "Stalls",
                "x": 0,
                "y": 0,
                "zone_id": "",
                "uuid": "",
                "areas": [],
                "rows": [],
            }
        ],
    }
    return SeatingPlan.objects.create(
        name=name,
        document=document,
        width=NEW_PLAN_SIZE["width"],
        height=NEW_PLAN_SIZE["height"],
    )


def open_draft(plan_id: int, *, editor: str, now: datetime) -> DraftView:
    """The plan's draft (made from the plan on first use); marks `editor` as
    editing. Raises SeatingPlan.DoesNotExist."""
    with transaction.atomic():
        draft = _draft(plan_id)
        _seen(plan_id, editor, now)
    return _view(draft, editor, now)


def save_draft(
    plan_id: int,
    *,
    document: Any,
    revision: int,
    force: bool,
    editor: str,
    now: datetime,
) -> DraftView:
    """Save `document` as the next revision, problems and all; DraftInvalid
    when it is no plan document, DraftChanged when `revision` is not the
    latest (unless `force`)."""
    _check_schema(document)
    with transaction.atomic():
        draft = _draft(plan_id, lock=True)
        if draft.revision != revision and not force:
            raise DraftChanged(draft)
        draft.document = document
        draft.revision += 1
        draft.saved_at = now
        draft.saved_by = editor
        draft.save()
        _seen(plan_id, editor, now)
    return _view(draft, editor, now)


def publish(
    plan_id: int, *, revision: int, editor: str, now: datetime
) -> tuple[PlanDraft, list[Event]]:
    """Make the draft the plan, and every event made from it follow.

    Raises DraftChanged (a newer revision exists), PlanRejected (the
    import's checks refuse it) or seats.errors.PlanChangeRefused (an event
    has a held or booked seat the draft removes); nothing changes then.
    """
    with transaction.atomic():
        draft = _draft(plan_id, lock=True)
        if draft.revision != revision:
            raise DraftChanged(draft)
        data = json.dumps(draft.document).encode()
        plan = read_plan(data, format="native").plan
        events = replace_plan(stored=draft.plan, plan=plan, now=now)
        draft.published_revision = draft.revision
        draft.published_at = now
        draft.save(update_fields=["published_revision", "published_at"])
    return draft, events


def _draft(plan_id: int, *, lock: bool = False) -> PlanDraft:
    plans = SeatingPlan.objects.select_for_update() if lock else SeatingPlan.objects
    stored = plans.get(pk=plan_id)
    draft, _ = PlanDraft.objects.get_or_create(
        plan=stored, defaults={"document": stored.document}
    )
    if lock:
        draft = PlanDraft.objects.select_for_update().get(pk=draft.pk)
    return draft


def _seen(plan_id: int, editor: str, now: datetime) -> None:
    PlanEditing.objects.update_or_create(
        plan_id=plan_id, name=editor, defaults={"seen_at": now}
    )


def _check_schema(document: Any) -> None:
    try:
        read_native(document)
    except PlanRejected as rejected:
        raise DraftInvalid(rejected.problems) from None


def _view(draft: PlanDraft, editor: str, now: datetime) -> DraftView:
    since = now - timedelta(seconds=PRESENCE_SECONDS)
    editors = list(
        PlanEditing.objects.filter(plan_id=draft.plan_id, seen_at__gt=since)
        .exclude(name=editor)
        .order_by("name")
        .values_list("name", "seen_at")
    )
    problems, counts = check_draft(draft.document)
    events = list(Event.objects.filter(plan_id=draft.plan_id).order_by("pk"))
    return DraftView(draft, problems, counts, editors, events)


def check_draft(document: Any) -> tuple[list[DraftProblem], Counts]:
    """Every problem publishing would meet, with the seats each concerns;
    and the seats per category and zone."""
    try:
        built = read_native(document)
    except PlanRejected as rejected:
        return [located(document, p) for p in rejected.problems], Counts(0, 0, {}, {})
    plan = built.plan
    found = built.problems + check_plan(plan, built.locator, max_seats=MAX_SEATS)
    # What only the database minds (long texts), once per place: a key used
    # twice is both checks' finding.
    seen = {p.where for p in found}
    found += [p for p in storage_problems(plan) if p.where not in seen]
    by_category: Counter[str] = Counter()
    by_zone: Counter[str] = Counter()
    for zone, _, seat in plan.seats():
        by_category[seat.category] += 1
        by_zone[zone.name] += 1
    for zone, table in plan.tables():
        by_category[table.category] += len(table_seats(table))
        by_zone[zone.name] += table.seats
    places = 0
    for zone, area in plan.standing():
        by_category[area.category] += area.capacity
        by_zone[zone.name] += area.capacity
        places += area.capacity
    counts = Counts(
        seats=sum(by_zone.values()) - places,
        places=places,
        by_category=dict(by_category),
        by_zone=dict(by_zone),
    )
    return [located(document, p) for p in found], counts


def located(document: Any, problem: Problem) -> DraftProblem:
    """The problem with the keys of the seats its place names (a seat, or a
    whole row)."""
    match = _SEAT_PATH.match(problem.where)
    keys: list[str] = []
    if match is not None:
        try:
            row = document["zones"][int(match[1])]["rows"][int(match[2])]
            seats = row["seats"] if match[3] is None else [row["seats"][int(match[3])]]
            keys = [str(s["key"]) for s in seats if isinstance(s, dict) and "key" in s]
        except (KeyError, IndexError, TypeError):
            keys = []
    return DraftProblem(problem.where, problem.message, keys)
