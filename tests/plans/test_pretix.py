"""pretix's seating-plan JSON: nested positions, leniency, the round trip."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from plans import pretix
from plans.document import Area, Category, PlanRejected
from plans.reading import read_plan, write_plan

DATA = Path(__file__).parent / "data"


def sample() -> dict:
    return json.loads((DATA / "pretix-small.json").read_text())


def read(document: dict):
    return read_plan(json.dumps(document).encode(), format="pretix")


def problems_of(document: dict) -> list[str]:
    with pytest.raises(PlanRejected) as rejected:
        read(document)
    return [str(problem) for problem in rejected.value.problems]


def seat(plan, key):
    return next(s for _, _, s in plan.seats() if s.key == key)


def test_categories_get_codes_and_keep_their_names():
    plan = read(sample()).plan

    assert plan.categories == (
        Category(code="stalls", name="Stalls", color="#3b82f6"),
        Category(code="balcony-seats", name="Balcony Seats", color="#f59e0b"),
    )
    assert seat(plan, "balcony-1-1").category == "balcony-seats"


def test_seat_positions_are_zone_plus_row_plus_seat():
    plan = read(sample()).plan

    assert (seat(plan, "stalls-a-1").x, seat(plan, "stalls-a-1").y) == (110, 205.5)
    assert (seat(plan, "stalls-a-2").x, seat(plan, "stalls-a-2").y) == (130.25, 206)
    # A row without a position sits at its zone's origin.
    assert (seat(plan, "stalls-b-1").x, seat(plan, "stalls-b-1").y) == (110, 230.5)
    # Fractions add up without float noise (0.5 + 50.1 is not 50.6 in binary).
    assert (seat(plan, "balcony-1-1").x, seat(plan, "balcony-1-1").y) == (50.6, 20.45)


def test_rows_keep_names_templates_and_ids():
    plan = read(sample()).plan
    stalls = plan.zones[0]

    assert (stalls.name, stalls.zone_id, stalls.x, stalls.y) == (
        "Stalls",
        "stalls",
        100,
        200.5,
    )
    row_a, row_b = stalls.rows
    assert (row_a.name, row_a.label, row_a.seat_label, row_a.uuid) == (
        "A",
        "Row %s",
        "Seat %s",
        "row-a",
    )
    assert (row_b.label, row_b.seat_label) == ("", "")
    assert [s.number for s in row_a.seats] == ["1", "2"]
    assert row_a.seats[0].uuid == "seat-a1"
    assert (plan.name, plan.width, plan.height) == ("Small Hall", 800, 600)


def test_areas_are_made_absolute():
    rectangle, ellipse, circle, polygon, text = read(sample()).plan.zones[0].areas

    assert rectangle == Area(
        shape="rectangle",
        x=100,
        y=100.5,
        color="#444444",
        border_color="#000000",
        width=200,
        height=40,
        text="STAGE",
        text_size=20,
        text_color="#ffffff",
        uuid="stage",
    )
    assert (ellipse.x, ellipse.y, ellipse.rx, ellipse.ry) == (400, 250.5, 30, 15.5)
    assert (circle.x, circle.y, circle.radius) == (80, 210.5, 8)
    # Points are relative to the area, which rotates about its own position.
    assert (polygon.x, polygon.y, polygon.rotation) == (150, 260.5, 45)
    assert polygon.points == ((150, 260.5), (160, 260.5), (155, 268))
    # A text's own position, turned 90 degrees clockwise with its area, is
    # its anchor: (10, 0) becomes (0, 10).
    assert (text.shape, text.text, text.x, text.y, text.rotation) == (
        "text",
        "Exit",
        105,
        215.5,
        90,
    )


def test_unknown_fields_are_warnings_with_their_paths():
    document = sample()
    document["zones"][0]["rows"][1]["foo"] = 1
    document["zones"][0]["rows"][0]["seats"][1]["bar"] = {"deep": [1]}
    document["zones"][0]["displayed"] = True

    imported = read(document)

    assert sorted(str(w) for w in imported.warnings) == [
        "$.zones[0].displayed: unknown field, ignored",
        "$.zones[0].rows[0].seats[1].bar: unknown field, ignored",
        "$.zones[0].rows[1].foo: unknown field, ignored",
    ]
    assert len(imported.plan.seats()) == 4


def test_areas_that_draw_nothing_are_skipped_with_a_warning():
    document = sample()
    document["zones"][1]["areas"] = [
        {"position": {"x": 0, "y": 0}},
        {"shape": "circle", "position": {"x": 0, "y": 0}},
    ]

    imported = read(document)

    assert [str(w) for w in imported.warnings] == [
        "$.zones[1].areas[0]: an area without a shape, ignored",
        '$.zones[1].areas[1]: a circle area without "circle", ignored',
    ]
    assert imported.plan.zones[1].areas == ()


def test_every_wrong_type_and_missing_field_is_reported_at_once():
    document = sample()
    stalls = document["zones"][0]
    stalls["rows"][0]["seats"][0]["seat_number"] = 1
    stalls["rows"][0]["seats"][1]["position"]["x"] = "left"
    del stalls["rows"][1]["seats"][0]["category"]
    stalls["rows"][1]["row_number_position"] = "middle"
    stalls["areas"][0]["rectangle"]["width"] = 10.5
    document["size"]["height"] = "600"

    assert sorted(problems_of(document)) == [
        '$.size.height: expected a whole number, got "600"',
        "$.zones[0].areas[0].rectangle.width: expected a whole number, got 10.5",
        "$.zones[0].rows[0].seats[0].seat_number: expected a string, got 1",
        '$.zones[0].rows[0].seats[1].position.x: expected a number, got "left"',
        "$.zones[0].rows[1].row_number_position: must be one of "
        '"start", "end", "both", null; got "middle"',
        "$.zones[0].rows[1].seats[0].category: missing",
    ]


def test_a_seat_of_an_unknown_category_is_refused():
    document = sample()
    document["zones"][0]["rows"][0]["seats"][1]["category"] = "VIP"

    assert problems_of(document) == [
        '$.zones[0].rows[0].seats[1].category: no category "VIP" in the plan'
    ]


def test_a_category_is_named_exactly_not_by_its_code():
    document = sample()
    # "stalls" is the code of "Stalls", not the name of any category.
    document["zones"][0]["rows"][0]["seats"][1]["category"] = "stalls"

    assert problems_of(document) == [
        '$.zones[0].rows[0].seats[1].category: no category named "stalls"'
    ]


def test_duplicate_category_names_are_refused():
    document = sample()
    document["categories"].append({"name": "Stalls"})

    assert problems_of(document) == [
        '$.categories[2].name: category name "Stalls" is used again '
        "(first at $.categories[0].name)"
    ]


def test_written_plan_validates_against_the_pretix_schema_with_no_extras():
    written = json.loads(write_plan(read(sample()).plan, "pretix"))

    assert list(Draft7Validator(pretix.schema()).iter_errors(written)) == []


def test_writing_puts_seats_relative_to_their_zone_with_rows_at_zero():
    written = json.loads(write_plan(read(sample()).plan, "pretix"))
    stalls = written["zones"][0]

    assert stalls["position"] == {"x": 100, "y": 200.5}
    assert stalls["rows"][0]["position"] == {"x": 0, "y": 0}
    assert stalls["rows"][0]["seats"][1] == {
        "seat_guid": "stalls-a-2",
        "seat_number": "2",
        "uuid": "seat-a2",
        "position": {"x": 30.25, "y": 5.5},
        "category": "Stalls",
    }
    assert stalls["rows"][0]["row_label"] == "Row %s"
    assert stalls["rows"][1]["row_label"] is None
    assert written["categories"][1] == {"name": "Balcony Seats", "color": "#f59e0b"}
    assert stalls["areas"][3]["polygon"]["points"][2] == {"x": 5, "y": 7.5}


def test_round_trip_pretix_plan_pretix_plan_is_exact():
    first = read(sample()).plan

    second = read_plan(write_plan(first, "pretix")).plan

    assert second == first


def test_flags_and_labels_are_lost_on_export():
    plan = read_plan((DATA / "native-small.json").read_bytes()).plan

    again = read_plan(write_plan(plan, "pretix")).plan

    flagged = seat(plan, "stalls-a-1")
    assert flagged.wheelchair and not seat(again, "stalls-a-1").wheelchair
    assert seat(plan, "stalls-a-3").note and not seat(again, "stalls-a-3").note
    assert seat(again, "stalls-a-3").label == ""
    # What pretix can carry survives: positions, names, categories, areas.
    assert [(s.key, s.x, s.y) for _, _, s in again.seats()] == [
        (s.key, s.x, s.y) for _, _, s in plan.seats()
    ]
    assert again.zones[0].areas == plan.zones[0].areas
    # pretix names categories only by name: codes are made again from names.
    assert [(c.code, c.name) for c in again.categories] == [
        ("stalls", "Stalls"),
        ("dress-circle", "Dress Circle"),
    ]
    assert seat(again, "circle-a-1").category == "dress-circle"


SEAT = {
    "seat_guid": "g",
    "seat_number": "1",
    "position": {"x": 1, "y": 2.5},
    "category": "Stalls",
}


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"uuid": "u", "radius": 10, "start_direction": None},
        {"start_direction": ">"},
        {"extra": 1},
        {"seat_guid": 5},
        {"seat_number": None},
        {"position": {"x": 1}},
        {"position": {"x": 1, "y": 2, "z": 3}},
        {"position": {"x": True, "y": 2}},
        {"position": [1, 2]},
        {"radius": 2.5},
        {"radius": "10"},
        {"uuid": 3},
        {"start_direction": 1},
        {"category": ["Stalls"]},
    ],
)
def test_the_quick_seat_check_never_vouches_for_a_seat_the_schema_refuses(change):
    candidate = {**copy.deepcopy(SEAT), **change}

    unknown = pretix.quick_seat(candidate)

    errors = list(pretix.seat_validator().iter_errors(candidate))
    if unknown is not None:
        assert [e.validator for e in errors] == (
            ["additionalProperties"] if unknown else []
        )
        assert unknown == [
            name for name in candidate if name not in pretix.seat_fields()
        ]
