"""The shipped demo hall: it imports cleanly and is what its script writes."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from plans.geometry import runs_of
from plans.reading import apply_flags, read_flags, read_plan
from plans.store import create_event, save_plan
from seats.models import Seat
from tests.conftest import T0

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "plans" / "grand-hall.pretix.json"
FLAGS = ROOT / "plans" / "grand-hall.flags.csv"


def demo_plan():
    imported = read_plan(PLAN.read_bytes(), filename=PLAN.name)
    return imported, apply_flags(imported.plan, read_flags(FLAGS.read_bytes()))


def test_the_demo_hall_imports_without_a_warning():
    imported, plan = demo_plan()

    assert imported.warnings == []
    assert plan.name == "Grand Hall"
    assert [z.name for z in plan.zones] == ["Stalls", "Balcony"]
    assert [(c.code, c.name) for c in plan.categories] == [
        ("premium", "Premium"),
        ("standard", "Standard"),
        ("balcony", "Balcony"),
    ]
    seats = [s for _, _, s in plan.seats()]
    assert 400 <= len(seats) <= 700
    assert {s.category for s in seats} == {"premium", "standard", "balcony"}
    shapes = Counter(a.shape for z in plan.zones for a in z.areas)
    assert {"rectangle", "text", "polygon", "circle"} <= set(shapes)
    assert any(a.text == "STAGE" for a in plan.zones[0].areas)


def test_every_curved_row_has_two_aisles():
    _, plan = demo_plan()

    curved = [r for z in plan.zones for r in z.rows if r.name != "M"]
    assert len(curved) == 18
    for row in curved:
        assert len(runs_of(row)) == 3, row.name
        numbers = [int(s.number) for s in row.seats]
        assert numbers == list(range(1, len(numbers) + 1))


def test_the_accessible_row_has_wheelchair_spaces_with_companions():
    _, plan = demo_plan()
    row_m = next(r for r in plan.zones[0].rows if r.name == "M")

    spaces = [s for s in row_m.seats if s.wheelchair]
    companions = [s for s in row_m.seats if s.companion_of]
    assert len(spaces) == 4
    assert Counter(s.companion_of for s in companions) == {
        "stalls-M-1": 1,
        "stalls-M-4": 2,
        "stalls-M-7": 2,
        "stalls-M-9": 1,
    }
    # Each space and its companions form a run of their own, side by side.
    for run in runs_of(row_m):
        assert sum(s.wheelchair for s in run) == 1
        space = next(s for s in run if s.wheelchair)
        assert all(s.companion_of == space.key for s in run if not s.wheelchair)
    restricted = [s for _, _, s in plan.seats() if s.restricted_view]
    assert {s.note for s in restricted} == {
        "Behind the sound desk",
        "Pillar in the sightline",
    }


@pytest.mark.django_db
def test_an_event_in_the_demo_hall_links_companions_and_runs():
    _, plan = demo_plan()

    event = create_event(plan=save_plan(plan=plan), name="Gala", starts_at=T0)

    seats = Seat.objects.filter(event=event)
    assert seats.count() == len(plan.seats())
    companions = seats.filter(companion_of__isnull=False).select_related("companion_of")
    assert companions.count() == 6
    assert all(c.companion_of.wheelchair for c in companions)
    assert seats.get(key="balcony-C-20").label == "Balcony C20"
    assert set(
        seats.filter(row="A", section="Stalls").values_list("run", flat=True)
    ) == {
        "Stalls/A/0",
        "Stalls/A/1",
        "Stalls/A/2",
    }


def test_the_script_writes_the_committed_files_byte_for_byte(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_demo_plan.py"), str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=60,
    )

    assert (tmp_path / PLAN.name).read_bytes() == PLAN.read_bytes()
    assert (tmp_path / FLAGS.name).read_bytes() == FLAGS.read_bytes()
