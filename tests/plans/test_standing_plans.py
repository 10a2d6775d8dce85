"""Standing areas in plans: the format, the checks, pretix's export, new versions."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from plans.document import PlanRejected, StandingArea
from plans.reading import read_plan, write_plan
from plans.store import change_event_plan, save_plan
from seats import services
from seats.errors import PlanChangeRefused
from seats.models import Seat
from seats.services.places import Places
from tests.conftest import later
from tests.standing import FLOOR, club_event, club_plan

CLUB = Path(__file__).resolve().parents[2] / "plans" / "club.seats-plan.json"


def with_floor(plan, **changes):
    floor_zone = plan.zones[0]
    floor = dataclasses.replace(floor_zone.standing[0], **changes)
    zone = dataclasses.replace(floor_zone, standing=(floor,))
    return dataclasses.replace(plan, zones=(zone, *plan.zones[1:]))


def problems_of(plan) -> list[str]:
    with pytest.raises(PlanRejected) as rejected:
        read_plan(write_plan(plan, "native"))
    return [str(p) for p in rejected.value.problems]


def test_standing_areas_round_trip_in_our_format():
    plan = club_plan(capacity=30)

    written = write_plan(plan, "native")
    again = read_plan(written).plan

    assert again == plan
    assert again.standing()[0][1] == StandingArea(
        "floor", "Floor", 30, "standing", plan.zones[0].standing[0].outline
    )
    assert again.places() == 30 + 6 + 4 + 6  # places, the row, two tables
    assert b'"standing": [' in written


def test_a_plan_without_standing_areas_is_written_as_before():
    plan = club_plan()
    plain = dataclasses.replace(
        plan, zones=(dataclasses.replace(plan.zones[0], standing=()), plan.zones[1])
    )

    assert b'"standing": [' not in write_plan(plain, "native")


def test_the_committed_club_plan_reads_with_800_places():
    plan = read_plan(CLUB.read_bytes(), filename=CLUB.name).plan

    ((zone, floor),) = plan.standing()
    assert (zone.name, floor.key, floor.capacity) == ("Floor", "floor", 800)
    assert len(plan.seats()) == 72
    assert [t.booking for _, t in plan.tables()] == ["whole", "whole", "seats"]


def test_an_unknown_category_is_refused():
    problems = problems_of(with_floor(club_plan(), category="vip"))

    assert any("no category has the code" in p and "vip" in p for p in problems), (
        problems
    )


def test_a_repeated_standing_key_is_refused():
    plan = club_plan()
    twice = dataclasses.replace(
        plan.zones[0], standing=(*plan.zones[0].standing, plan.zones[0].standing[0])
    )

    problems = problems_of(dataclasses.replace(plan, zones=(twice, plan.zones[1])))

    assert any("the key is used again" in p for p in problems)


@pytest.mark.parametrize(
    ("field", "value"),
    [("capacity", 0), ("capacity", 100_001), ("key", "a#b"), ("key", ""), ("name", "")],
)
def test_the_schema_bounds_a_standing_area(field, value):
    document = json.loads(write_plan(club_plan(), "native"))
    document["zones"][0]["standing"][0][field] = value

    with pytest.raises(PlanRejected):
        read_plan(json.dumps(document).encode())


def test_pretix_export_keeps_the_outline_as_a_captioned_area():
    exported = json.loads(write_plan(club_plan(capacity=40), "pretix"))

    captions = [a.get("text", {}).get("text") for a in exported["zones"][0]["areas"]]
    assert "Floor (standing, 40)" in captions
    # Read back by pretix's rules: seats only, the outline a drawing.
    again = read_plan(json.dumps(exported).encode()).plan
    assert again.standing() == [] and len(again.seats()) == 6 + 4 + 6  # row, tables


@pytest.mark.django_db
def test_a_new_version_grows_or_shrinks_an_area_but_never_takes_a_held_place(
    hold_settings,
):
    event = club_event(capacity=10)
    stored = event.plan
    services.hold_seats(
        event_id=event.id,
        holder="alice",
        seat_ids=[],
        places=[Places(FLOOR, 10)],
        now=later(0),
    )

    save_plan(plan=with_floor(club_plan(capacity=10), capacity=8), replace=stored)
    with pytest.raises(PlanChangeRefused, match="Floor 9, Floor 10"):
        change_event_plan(event=event, plan=stored, now=later(1))
    assert Seat.objects.filter(event=event, area=FLOOR).count() == 10

    save_plan(plan=with_floor(club_plan(capacity=10), capacity=14), replace=stored)
    change_event_plan(event=event, plan=stored, now=later(2))
    assert Seat.objects.filter(event=event, area=FLOOR).count() == 14


def test_pretix_export_writes_a_tables_seats_as_a_row_named_after_it():
    exported = json.loads(write_plan(club_plan(), "pretix"))

    rows = {r["row_number"]: r for r in exported["zones"][1]["rows"]}
    assert len(rows["Table 1"]["seats"]) == 4 and len(rows["Table 2"]["seats"]) == 6
    again = read_plan(json.dumps(exported).encode()).plan
    assert again.tables() == [] and len(again.seats()) == 6 + 4 + 6


def test_a_table_needs_a_size_for_its_shape():
    document = json.loads(write_plan(club_plan(), "native"))
    document["zones"][1]["tables"][0]["radius"] = 0

    with pytest.raises(PlanRejected) as rejected:
        read_plan(json.dumps(document).encode())

    assert any(
        "a round table needs a radius" in str(p) for p in rejected.value.problems
    )


def test_a_whole_table_larger_than_one_buyer_may_hold_is_imported_with_a_warning(
    settings,
):
    # Table 1: four seats, sold whole; Table 2: six, sold seat by seat.
    written = write_plan(club_plan(), "native")

    settings.SEAT_MAX_PER_HOLDER = 4
    assert read_plan(written).warnings == []

    settings.SEAT_MAX_PER_HOLDER = 3
    imported = read_plan(written)
    (warning,) = imported.warnings
    assert warning.where == "$.zones[1]"
    assert 'table "t1": sold whole with 4 seats, more than the 3 one buyer' in str(
        warning
    )
    assert len(imported.plan.tables()) == 2  # imported all the same


def test_a_csv_line_with_a_capacity_declares_a_standing_area():
    csv = (
        b"zone,row,number,x,y,category,label,capacity,width,height\n"
        b"Floor,,,100,50,Standing,Floor,800,300,120\n"
        b"Balcony,A,1,90,220,Balcony,,,,\n"
        b"Balcony,A,2,120,220,Balcony,,,,\n"
    )

    plan = read_plan(csv, filename="club.csv", name="Club").plan

    ((zone, floor),) = plan.standing()
    assert (zone.name, floor.name, floor.capacity, floor.category) == (
        "Floor",
        "Floor",
        800,
        "standing",
    )
    assert (floor.outline.width, floor.outline.height) == (300, 120)
    assert len(plan.seats()) == 2 and plan.places() == 802


@pytest.mark.parametrize("capacity", ["0", "-3", "lots", "100001"])
def test_a_csv_capacity_must_be_a_whole_number_in_range(capacity):
    csv = (
        "zone,row,number,x,y,category,capacity\n"
        f"Floor,,,100,50,Standing,{capacity}\n"
        "Balcony,A,1,90,220,Balcony,\n"
    ).encode()

    with pytest.raises(PlanRejected) as rejected:
        read_plan(csv, filename="club.csv")

    assert [str(p) for p in rejected.value.problems] == [
        f"line 2, column capacity: {capacity!r} is not a whole number from 1 to 100,000"
    ]
