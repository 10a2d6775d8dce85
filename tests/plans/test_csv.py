"""Plans from a spreadsheet, and the seat-flags CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from plans.document import Category, PlanRejected
from plans.reading import SeatFlags, apply_flags, read_flags, read_plan

DATA = Path(__file__).parent / "data"
HEADER = "zone,row,number,x,y,category\n"


def read(text: str, **kwargs):
    return read_plan(text.encode(), format="csv", **kwargs)


def problems_of(text: str, **kwargs) -> list[str]:
    with pytest.raises(PlanRejected) as rejected:
        read(text, **kwargs)
    return [str(problem) for problem in rejected.value.problems]


def flag_problems(plan, text: str) -> list[str]:
    with pytest.raises(PlanRejected) as rejected:
        apply_flags(plan, read_flags(text.encode()))
    return [str(problem) for problem in rejected.value.problems]


def test_zones_rows_and_seats_keep_the_order_they_are_first_seen():
    plan = read_plan((DATA / "plan.csv").read_bytes(), filename="uploads/Hall.csv").plan

    assert [zone.name for zone in plan.zones] == ["Stalls", "Balcony"]
    assert [row.name for row in plan.zones[0].rows] == ["A", "B"]
    assert [s.key for s in plan.zones[0].rows[0].seats] == [
        "stalls-a-1",
        "stalls-a-2",
        "stalls-a-3",
    ]
    assert plan.categories == (
        Category(code="stalls", name="Stalls"),
        Category(code="balcony-front", name="Balcony Front"),
    )
    assert plan.name == "Hall"
    assert (plan.width, plan.height) == (80, 220)


def test_optional_columns_give_keys_labels_and_flags():
    plan = read_plan((DATA / "plan.csv").read_bytes(), filename="plan.csv").plan
    a1, a2, _ = plan.zones[0].rows[0].seats
    (b1,) = plan.zones[0].rows[1].seats

    assert (a1.wheelchair, a1.x, a1.y) == (True, 10, 20)
    assert (a2.companion_of, a2.restricted_view, a2.x) == ("stalls-a-1", False, 40.5)
    assert (b1.key, b1.label, b1.restricted_view, b1.note) == (
        "b-one",
        "B1",
        True,
        "behind a pillar, left",
    )
    assert plan.zones[1].rows[0].seats[0].category == "balcony-front"


def test_a_bom_and_semicolons_with_decimal_commas_are_read():
    plan = read_plan((DATA / "plan-semicolon.csv").read_bytes(), filename="x.csv").plan

    assert [(s.key, s.x, s.y) for _, _, s in plan.seats()] == [
        ("stalls-a-1", 10.5, 20),
        ("stalls-a-2", 40.25, 20),
    ]


def test_content_that_is_not_json_is_read_as_csv_without_a_csv_name():
    imported = read_plan(f"{HEADER}S,A,1,0,0,Stalls\n".encode(), filename="upload")

    assert imported.plan.name == "upload"
    assert len(imported.plan.seats()) == 1


def test_the_name_defaults_to_imported_plan_and_can_be_given():
    text = f"{HEADER}S,A,1,0,0,Stalls\n"

    assert read(text).plan.name == "Imported plan"
    assert read(text, filename="hall.csv", name="Grand Hall").plan.name == "Grand Hall"


def test_every_bad_value_is_reported_with_its_line_and_column():
    text = (
        "Zone,Row,Number,X,Y,Category,Wheelchair\n"
        "S,A,1,abc,0,Stalls,\n"
        "S,A,2,10,,Stalls,maybe\n"
        "S,,3,20,0,,no\n"
        "S,A,4,1e999,0,Stalls,no,extra\n"
    )

    assert problems_of(text) == [
        'line 2, column x: "abc" is not a number',
        "line 3, column y: empty",
        'line 3, column wheelchair: "maybe" is not yes or no '
        "(write true, false, yes, no, 1, 0, or leave it empty)",
        "line 4, column row: empty",
        "line 4, column category: empty",
        "line 5: 8 values, but the header names 7 columns",
    ]


def test_the_header_must_name_the_required_columns_once():
    assert problems_of("zone,row,number,x,x,colour\n") == [
        "line 1: missing columns: y, category",
        "line 1, column x: appears twice",
    ]


def test_an_unknown_column_is_a_warning():
    imported = read("zone,row,number,x,y,category,colour\nS,A,1,0,0,Stalls,red\n")

    assert [str(w) for w in imported.warnings] == [
        "line 1, column colour: unknown column, ignored"
    ]


@pytest.mark.parametrize("text", ["", "\n\n", HEADER, HEADER + ",,,,,\n"])
def test_an_empty_file_or_a_header_alone_has_no_seats(text):
    assert problems_of(text) == ["file: the plan has no seats"]


def test_a_field_too_large_for_csv_is_refused_with_its_line():
    text = f'{HEADER}S,A,1,0,0,Stalls\nS,A,2,1,0,"{"x" * 200_000}"\n'

    assert problems_of(text) == [
        "line 3: not valid CSV (field larger than field limit (131072))"
    ]


def test_not_utf8_is_refused_with_its_line():
    with pytest.raises(PlanRejected) as rejected:
        read_plan(HEADER.encode() + b"S,A,1,0,0,Caf\xe9\n", format="csv")

    assert [str(p) for p in rejected.value.problems] == [
        "line 2: not UTF-8 text (save the file as CSV UTF-8)"
    ]


def test_plan_checks_locate_problems_by_line_and_column():
    text = (
        "zone,row,number,x,y,category,key,companion_of\n"
        "S,A,1,0,0,Stalls,k1,\n"
        "S,A,2,10,0,Stalls,k1,\n"
        "S,A,1,20,0,Stalls,k3,\n"
        "S,A,4,0.001,0.004,Stalls,k4,k1\n"
    )

    assert problems_of(text) == [
        'line 3, column key: seat key "k1" is used again (first at line 2, column key)',
        'line 4, column number: zone "S", row "A", seat "1" appears twice '
        "(first at line 2, column number)",
        "line 5, column x: a second seat at (0.001, 0.004) (first at line 2, column x)",
        'line 5, column companion_of: companion_of "k1" is not a wheelchair space',
    ]


def test_a_made_up_key_is_located_by_its_line():
    text = f"{HEADER}S,A,1,0,0,Stalls\nS,A,1,10,0,Stalls\n"

    assert problems_of(text)[0] == (
        'line 3: seat key "s-a-1" is used again (first at line 2)'
    )


def test_read_flags_returns_each_seats_flags():
    flags = read_flags((DATA / "flags.csv").read_bytes())

    assert flags == {
        "stalls-a-3": SeatFlags(wheelchair=True),
        "stalls-a-1": SeatFlags(companion_of="stalls-a-3"),
        "stalls-a-2": SeatFlags(restricted_view=True, note="low ceiling"),
    }


def test_apply_flags_replaces_the_listed_seats_flags_only():
    plan = read_plan((DATA / "plan.csv").read_bytes(), filename="plan.csv").plan

    flagged = apply_flags(plan, read_flags((DATA / "flags.csv").read_bytes()))

    seats = {s.key: s for _, _, s in flagged.seats()}
    assert seats["stalls-a-3"].wheelchair is True
    assert (seats["stalls-a-1"].wheelchair, seats["stalls-a-1"].companion_of) == (
        False,
        "stalls-a-3",
    )
    assert (seats["stalls-a-2"].companion_of, seats["stalls-a-2"].note) == (
        None,
        "low ceiling",
    )
    assert seats["b-one"].note == "behind a pillar, left"  # not listed: unchanged
    assert [s.key for _, _, s in flagged.seats()] == [s.key for _, _, s in plan.seats()]
    assert plan.zones[0].rows[0].seats[0].wheelchair is True  # the input is untouched


def test_apply_flags_refuses_unknown_keys_and_broken_companions():
    plan = read_plan((DATA / "plan.csv").read_bytes(), filename="plan.csv").plan

    problems = flag_problems(
        plan,
        "key,companion_of,wheelchair\nnope,,\nstalls-a-3,b-one,\nstalls-a-1,,no\n",
    )

    assert problems == [
        'seat "nope": no seat with this key in the plan',
        # stalls-a-2 still goes with stalls-a-1, no longer a wheelchair space.
        'seat "stalls-a-2", column companion_of: companion_of "stalls-a-1" is not '
        "a wheelchair space",
        'seat "stalls-a-3", column companion_of: companion_of "b-one" is not a '
        "wheelchair space",
    ]


def test_the_flags_csv_is_checked_line_by_line():
    text = (
        "Key,Wheelchair,Companion_Of,Note\n"
        "a,maybe,,\n"
        "b,yes,a,\n"
        "a,,,\n"
        ",,,\n"
        ",yes,,\n"
        "c,,," + "x" * 201 + "\n"
    )

    with pytest.raises(PlanRejected) as rejected:
        read_flags(text.encode())

    assert [str(p) for p in rejected.value.problems] == [
        'line 2, column wheelchair: "maybe" is not yes or no '
        "(write true, false, yes, no, 1, 0, or leave it empty)",
        "line 3, column companion_of: a wheelchair space cannot also be a companion "
        "seat",
        "line 6, column key: empty",
        "line 7, column note: note is 201 characters, more than 200",
    ]


def test_the_flags_csv_refuses_unknown_columns_and_repeated_keys():
    with pytest.raises(PlanRejected) as rejected:
        read_flags(b"key,wheelchair,colour\na,,\n")
    assert [str(p) for p in rejected.value.problems] == [
        "line 1, column colour: unknown column (the columns are key, wheelchair, "
        "companion_of, restricted_view, note)"
    ]

    with pytest.raises(PlanRejected) as rejected:
        read_flags(b"key,wheelchair\na,yes\na,no\n")
    assert [str(p) for p in rejected.value.problems] == [
        'line 3, column key: seat "a" is listed again (first on line 2)'
    ]

    with pytest.raises(PlanRejected) as rejected:
        read_flags(b"")
    assert [str(p) for p in rejected.value.problems] == [
        "line 1: no header line naming the columns"
    ]
