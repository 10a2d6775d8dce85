"""The entry points: format detection, limits, and the checks every format passes."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from plans import reading
from plans.document import PlanRejected
from plans.reading import nesting_depth, read_plan, write_plan

DATA = Path(__file__).parent / "data"


def native_sample() -> dict:
    return json.loads((DATA / "native-small.json").read_text())


def problems_of(data: bytes, **kwargs) -> list[str]:
    with pytest.raises(PlanRejected) as rejected:
        read_plan(data, **kwargs)
    return [str(problem) for problem in rejected.value.problems]


def native_problems(document: dict) -> list[str]:
    return problems_of(json.dumps(document).encode())


def test_the_format_is_found_from_the_name_or_the_content():
    pretix_bytes = (DATA / "pretix-small.json").read_bytes()
    native_bytes = (DATA / "native-small.json").read_bytes()

    assert read_plan(pretix_bytes).plan.name == "Small Hall"
    assert read_plan(native_bytes).plan.name == "Grand Hall"
    assert read_plan(b"\xef\xbb\xbf \n" + native_bytes).plan.name == "Grand Hall"
    # A .csv name wins over content; an explicit format over both.
    assert problems_of(native_bytes, filename="plan.CSV") == [
        "line 1: missing columns: zone, row, number, x, y, category"
    ]
    as_pretix = problems_of(native_bytes, format="pretix")
    assert "$.zones[0].position: missing" in as_pretix
    assert "$.zones[0].rows[0].seats[0].seat_guid: missing" in as_pretix


def test_a_json_list_is_refused_as_json_not_read_as_csv():
    assert problems_of(b"[1, 2]") == ["$: expected an object, got a list"]


def test_not_json_says_where():
    assert problems_of(b'{\n  "name": "x"\n  "zones": []\n}') == [
        "$: not valid JSON (line 3, column 3: Expecting ',' delimiter)"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"name": NaN}', "$: not valid JSON (NaN is not a number in JSON)"),
        (b'{"x": 1e999}', "$: not valid JSON (the number 1e999 is too large)"),
        (
            b'{"x": 12345678901234567890}',
            "$: not valid JSON (the number 12345678901234567890 is too large)",
        ),
        (b'{"x": "\xff"}', "$: not UTF-8 text (byte 7 cannot be read)"),
    ],
)
def test_json_that_is_not_plain_json_is_refused(data, message):
    assert problems_of(data) == [message]


def test_numbers_read_the_same_when_the_file_looks_like_it_has_huge_ones():
    document = native_sample()
    document["name"] = "Hall e100 / 1234567890123456"  # sets off the number hooks

    plan = read_plan(json.dumps(document).encode()).plan

    plain = read_plan((DATA / "native-small.json").read_bytes()).plan
    assert plan == replace(plain, name=document["name"])


def test_zones_and_rows_of_the_wrong_shape_are_refused_not_crashed_on():
    document = json.loads((DATA / "pretix-small.json").read_text())
    document["zones"][1] = "Balcony"
    document["zones"][0]["rows"][1] = ["B"]
    document["zones"][0]["rows"][0]["seats"] = {"seat_guid": "x"}

    assert problems_of(json.dumps(document).encode()) == [
        "$.zones[0].rows[0].seats: expected a list, got an object",
        "$.zones[0].rows[1]: expected an object, got a list",
        '$.zones[1]: expected an object, got "Balcony"',
    ]


def test_a_file_over_the_size_limit_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 100)

    assert problems_of(b"{" + b" " * 100) == [
        "file: the file is 101 bytes, more than the limit of 100"
    ]
    with pytest.raises(PlanRejected):
        reading.read_flags(b"key\n" + b"a\n" * 50)


def test_a_deeply_nested_file_is_refused_quickly(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    started = time.monotonic()

    problems = problems_of(path.read_bytes(), filename="deep.json")

    assert problems == ["$: nested deeper than 64 levels"]
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "data",
    [b"[" * 100_000, b'{"a": ' * 100_000, b'{"a": "' + b"\\" * 50 + b'"' + b"[" * 70],
)
def test_unbalanced_deep_nesting_is_refused_too(data):
    assert problems_of(data) == ["$: nested deeper than 64 levels"]


def test_nesting_depth_counts_brackets_outside_strings_only():
    assert nesting_depth(b"{}", limit=64) == 1
    assert nesting_depth(b'{"a": [[1], {"b": []}], "c": "[[[["}', limit=64) == 4
    assert nesting_depth(b'{"a": "\\"[[[[", "b": [[]]}', limit=64) == 3
    assert nesting_depth(b'{"a": "]]", "b": "{{"}', limit=64) == 1
    assert nesting_depth(b"[" * 70 + b"]" * 70, limit=64) == 65


def points_nested(levels: int) -> bytes:
    """A native plan nested `levels` deep: 5 levels down to an area's points."""
    document = native_sample()
    document["zones"][0]["rows"][0]["seats"][0]["note"] = "[" * 100
    points: list = []
    for _ in range(levels - 6):
        points = [points]
    document["zones"][0]["areas"][0] = {"shape": "polygon", "x": 0, "y": 0}
    document["zones"][0]["areas"][0]["points"] = points
    return json.dumps(document).encode()


def test_the_depth_limit_is_exactly_max_depth():
    assert nesting_depth(points_nested(64), limit=64) == 64

    at_limit = problems_of(points_nested(64))
    assert "nested deeper" not in " ".join(at_limit)
    assert "$.zones[0].areas[0].points[0][0]: expected a number, got a list" in at_limit
    assert problems_of(points_nested(65)) == ["$: nested deeper than 64 levels"]


def test_more_seats_than_the_limit_are_refused_before_validation(monkeypatch):
    monkeypatch.setattr(reading, "MAX_SEATS", 3)

    assert native_problems(native_sample()) == [
        "$.zones: the plan has 4 seats, more than the limit of 3"
    ]
    csv = b"zone,row,number,x,y,category\n" + b"".join(
        f"S,A,{n},{n},0,C\n".encode() for n in range(1, 6)
    )
    assert problems_of(csv, format="csv") == [
        "file: the plan has 5 seats, more than the limit of 3"
    ]


def test_a_plan_without_seats_is_refused():
    document = native_sample()
    document["zones"] = []

    assert native_problems(document) == ["$: the plan has no seats"]


def test_every_plan_problem_is_reported_with_its_json_path():
    document = native_sample()
    document["categories"].append({"code": "stalls", "name": "Stalls again"})
    stalls, circle = document["zones"]
    seats = stalls["rows"][0]["seats"]
    seats[1]["key"] = "stalls-a-1"  # duplicate key
    seats[1]["companion_of"] = None
    seats[2]["category"] = "vip"  # no such category
    seats[2]["x"] = 100.504  # the same spot as seat 0 (100.5), to 0.01
    seats[2]["companion_of"] = "nobody"
    seats[0]["companion_of"] = "stalls-a-3"  # a wheelchair space as companion
    circle["rows"][0]["seats"][0]["companion_of"] = "stalls-a-3"  # not wheelchair
    circle["name"] = "Stalls"
    circle["rows"][0]["seats"][0]["number"] = "1"  # Stalls / A / 1 again

    assert native_problems(document) == [
        '$.categories[2].code: category code "stalls" is used again '
        "(first at $.categories[0].code)",
        '$.zones[0].rows[0].seats[1].key: seat key "stalls-a-1" is used again '
        "(first at $.zones[0].rows[0].seats[0].key)",
        '$.zones[0].rows[0].seats[2].category: no category "vip" in the plan',
        "$.zones[0].rows[0].seats[2].x: a second seat at (100.504, 200) "
        "(first at $.zones[0].rows[0].seats[0].x)",
        '$.zones[1].rows[0].seats[0].number: zone "Stalls", row "A", seat "1" '
        "appears twice (first at $.zones[0].rows[0].seats[0].number)",
        "$.zones[0].rows[0].seats[0].companion_of: a wheelchair space cannot also "
        'be a companion seat (companion_of "stalls-a-3")',
        '$.zones[0].rows[0].seats[2].companion_of: companion_of "nobody" names no seat',
        '$.zones[1].rows[0].seats[0].companion_of: companion_of "stalls-a-3" is not '
        "a wheelchair space",
    ]


def test_values_too_long_for_the_database_are_refused():
    document = native_sample()
    document["zones"][0]["rows"][0]["seats"][0]["key"] = "k" * 65
    document["zones"][0]["rows"][0]["name"] = "Row seventeen left"
    document["zones"][0]["rows"][0]["seats"][2]["note"] = "n" * 201
    document["zones"][0]["rows"][0]["seats"][1]["companion_of"] = None

    assert native_problems(document) == [
        "$.zones[0].rows[0].name: row name is 18 characters, more than 16",
        "$.zones[0].rows[0].seats[0].key: seat key is 65 characters, more than 64",
        "$.zones[0].rows[0].seats[2].note: note is 201 characters, more than 200",
    ]


def test_pretix_problems_name_pretix_fields():
    document = json.loads((DATA / "pretix-small.json").read_text())
    document["zones"][0]["rows"][0]["seats"][1]["seat_guid"] = "stalls-a-1"

    assert problems_of(json.dumps(document).encode()) == [
        '$.zones[0].rows[0].seats[1].seat_guid: seat key "stalls-a-1" is used again '
        "(first at $.zones[0].rows[0].seats[0].seat_guid)"
    ]


def test_long_lists_of_problems_are_cut_short(monkeypatch):
    monkeypatch.setattr(reading, "MAX_LISTED", 2)
    document = native_sample()
    for seat in document["zones"][0]["rows"][0]["seats"]:
        seat["category"] = "vip"
        seat["companion_of"] = None

    problems = native_problems(document)

    assert problems[2:] == ["file: and 1 more like these"]
    assert len(problems) == 3


def test_the_name_replaces_the_plans_own():
    data = (DATA / "pretix-small.json").read_bytes()

    assert read_plan(data, name="Renamed").plan.name == "Renamed"


def test_unknown_formats_are_a_programming_error():
    with pytest.raises(ValueError):
        read_plan(b"{}", format="xml")
    plan = read_plan((DATA / "native-small.json").read_bytes()).plan
    with pytest.raises(ValueError):
        write_plan(plan, "csv")
