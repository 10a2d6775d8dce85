"""Our own plan format: strict reading, the committed schema, exact round trips."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from plans import native
from plans.document import Area, PlanRejected
from plans.reading import read_plan, write_plan

DATA = Path(__file__).parent / "data"
SCHEMA = json.loads(
    (Path(__file__).parents[2] / "docs" / "seating-plan.schema.json").read_text()
)


def sample() -> dict:
    return json.loads((DATA / "native-small.json").read_text())


def read(document: dict):
    return read_plan(json.dumps(document).encode())


def problems_of(document: dict) -> list[str]:
    with pytest.raises(PlanRejected) as rejected:
        read(document)
    return [str(problem) for problem in rejected.value.problems]


def test_a_native_file_is_found_by_its_format_field_and_read():
    plan = read(sample()).plan

    a1, a2, a3 = plan.zones[0].rows[0].seats
    assert (a1.key, a1.x, a1.y, a1.wheelchair) == ("stalls-a-1", 100.5, 200, True)
    assert (a2.companion_of, a2.wheelchair) == ("stalls-a-1", False)
    assert (a3.label, a3.restricted_view, a3.note, a3.uuid) == (
        "A3",
        True,
        "behind a pillar",
        "u-a3",
    )
    assert plan.zones[1].y == 400
    assert plan.zones[0].rows[0].label == "Row %s"
    assert plan.zones[0].areas[1] == Area(
        shape="polygon",
        x=10,
        y=10,
        rotation=30,
        points=((10, 10), (30, 10), (20, 25.5)),
        uuid="bar",
    )
    assert plan.zones[0].areas[2].text_size == 24


def test_round_trip_native_native_is_exact_and_stable():
    plan = read(sample()).plan

    written = write_plan(plan, "native")

    assert read_plan(written).plan == plan
    assert write_plan(read_plan(written).plan, "native") == written


def test_every_plan_written_validates_against_the_committed_schema():
    for source in ("native-small.json", "pretix-small.json", "plan.csv"):
        plan = read_plan((DATA / source).read_bytes(), filename=source).plan

        written = json.loads(write_plan(plan, "native"))

        assert list(Draft202012Validator(SCHEMA).iter_errors(written)) == []


def test_the_committed_schema_is_valid_and_is_the_one_the_reader_uses():
    Draft202012Validator.check_schema(SCHEMA)

    assert native.schema() == SCHEMA


def test_written_json_is_indented_utf8_in_a_stable_key_order():
    document = sample()
    document["name"] = "Salle Pleyel – Grand Hall"

    text = write_plan(read(document).plan, "native").decode("utf-8")

    assert text.startswith('{\n  "format": "seats-plan",\n  "version": 1,\n')
    assert "Salle Pleyel – Grand Hall" in text
    assert (
        '      {"key": "stalls-a-1", "number": "1", "x": 100.5, "y": 200, '
        '"category": "stalls", "wheelchair": true}' in text
    )
    assert '"size": {"width": 1200, "height": 900}' in text


def test_unknown_fields_are_errors_in_our_own_format():
    document = sample()
    document["zones"][0]["rows"][0]["seats"][0]["colour"] = "red"
    document["zones"][1]["extra"] = 1

    assert sorted(problems_of(document)) == [
        "$.zones[0].rows[0].seats[0].colour: unknown field",
        "$.zones[1].extra: unknown field",
    ]


def test_wrong_types_and_misplaced_area_fields_are_reported_together():
    document = sample()
    seats = document["zones"][0]["rows"][0]["seats"]
    seats[0]["wheelchair"] = "yes"
    seats[1]["x"] = None
    seats[2]["key"] = ""
    document["zones"][0]["areas"][1]["width"] = 5
    del document["zones"][0]["areas"][0]["height"]
    document["zones"][0]["areas"][2]["points"] = [[1, 2, 3]]
    document["categories"][1]["code"] = "Dress Circle"
    document["version"] = 2

    assert sorted(problems_of(document)) == [
        '$.categories[1].code: "Dress Circle" does not have the expected form '
        "(^[a-z0-9]+(-[a-z0-9]+)*$)",
        "$.version: must be 1; got 2",
        "$.zones[0].areas[0].height: missing",
        "$.zones[0].areas[1].width: not used by a polygon area",
        "$.zones[0].areas[2].points: not used by a text area",
        "$.zones[0].areas[2].points[0]: a point is [x, y]; got a list",
        '$.zones[0].rows[0].seats[0].wheelchair: expected true or false, got "yes"',
        "$.zones[0].rows[0].seats[1].x: expected a number, got null",
        "$.zones[0].rows[0].seats[2].key: must not be empty",
    ]


def test_the_top_level_must_be_a_plan():
    assert problems_of({"format": "seats-plan"}) == [
        "$.version: missing",
        "$.name: missing",
        "$.size: missing",
        "$.categories: missing",
        "$.zones: missing",
    ]


SEAT = {"key": "k", "number": "1", "x": 1.5, "y": 2, "category": "stalls"}


@pytest.mark.parametrize(
    "change",
    [
        {},
        {
            "label": "A1",
            "wheelchair": True,
            "companion_of": None,
            "restricted_view": False,
            "note": "n",
            "uuid": "u",
        },
        {"companion_of": "other"},
        {"extra": 1},
        {"key": ""},
        {"key": 1},
        {"number": 1},
        {"x": "1"},
        {"y": False},
        {"wheelchair": 1},
        {"restricted_view": None},
        {"companion_of": 3},
        {"note": None},
        {"label": []},
    ],
)
def test_the_quick_seat_check_never_vouches_for_a_seat_the_schema_refuses(change):
    candidate = {**copy.deepcopy(SEAT), **change}

    unknown = native.quick_seat(candidate)

    errors = list(native.seat_validator().iter_errors(candidate))
    if unknown is not None:
        assert [e.validator for e in errors] == (
            ["additionalProperties"] if unknown else []
        )
    else:
        assert errors
