"""Plans bounded by what they cost and what their text may hold.

A file under the size limit may still hold a polygon every visitor would
carry, or text no database stores: each is refused where it is, before the
plan is built, with nothing imported.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plans import limits
from plans.document import PlanRejected
from plans.reading import read_flags, read_plan
from seats.models import SeatingPlan

DATA = Path(__file__).parent / "data"
HEADER = "zone,row,number,x,y,category\n"


def native() -> dict:
    return json.loads((DATA / "native-small.json").read_text())


def pretix() -> dict:
    return json.loads((DATA / "pretix-small.json").read_text())


def refused(data: bytes, **kwargs) -> list[str]:
    with pytest.raises(PlanRejected) as rejected:
        read_plan(data, **kwargs)
    return [str(problem) for problem in rejected.value.problems]


def escaped(plan: dict) -> bytes:
    """The plan as JSON with every non-ASCII character as a \\u escape."""
    return json.dumps(plan, ensure_ascii=True).encode()


def test_a_nul_or_a_control_character_in_a_csv_is_refused_with_its_line():
    text = HEADER + "Stalls,A,1,10,20,std\nStalls,A,2\x00,40,20,std\n"
    assert refused(text.encode(), format="csv") == [
        "line 3: contains a control character (U+0000); names and labels are "
        "printable text"
    ]
    bell = HEADER.replace("category", "category,label") + "S,A,1,1,1,std,A\x07B\n"
    (problem,) = refused(bell.encode(), format="csv")
    assert problem.startswith("line 2: contains a control character (U+0007)")
    with pytest.raises(PlanRejected, match="U\\+0000"):
        read_flags(b"key,note\nstalls-a-1,behind\x00 a pillar\n")


def test_tabs_and_windows_line_ends_in_a_csv_are_fine():
    text = HEADER + "Stalls,A,1,10,20,std\t\r\nStalls,A,2,40,20,std\r\n"
    plan = read_plan(text.encode(), format="csv").plan
    assert [seat.number for _, _, seat in plan.seats()] == ["1", "2"]


@pytest.mark.parametrize(
    ("bad", "char"), [("\ud800", "\ud800"), ("a\nb", "\n"), ("\x85", "\x85")]
)
def test_json_text_that_is_not_printable_is_refused_at_its_path(bad, char):
    plan = native()
    plan["zones"][0]["rows"][0]["seats"][2]["label"] = bad
    plan["zones"][1]["name"] = f"Circle{bad}"
    problems = refused(escaped(plan))
    assert problems == [
        f"$.zones[0].rows[0].seats[2].label: contains {limits.describe(char)}",
        f"$.zones[1].name: contains {limits.describe(char)}",
    ]
    assert f"U+{ord(char):04X}" in problems[0]
    # Raw (not escaped) C1 characters are found too.
    if bad == "\x85":
        assert refused(json.dumps(plan, ensure_ascii=False).encode()) == problems


def test_a_bad_key_is_reported_at_its_object():
    plan = native()
    plan["zones"][0]["rows"][0]["seats"][0]["\ud800"] = 1
    (problem,) = refused(escaped(plan))
    assert problem.startswith("$.zones[0].rows[0].seats[0]: contains U+D800")


def test_escaped_letters_and_emoji_are_text():
    plan = native()
    plan["zones"][0]["rows"][0]["seats"][2]["label"] = "Café 🎭"
    read_plan(escaped(plan))


def square(points: int) -> list[list[float]]:
    return [[float(i % 100), float(i // 100)] for i in range(points)]


def test_a_polygon_past_the_point_limit_is_refused_at_its_path():
    plan = native()
    plan["zones"][0]["areas"][1]["points"] = square(limits.MAX_POINTS_PER_SHAPE + 1)
    assert refused(escaped(plan)) == [
        "$.zones[0].areas[1].points: 1,001 points, more than the limit of 1,000 "
        "for one shape"
    ]
    plan["zones"][0]["areas"][1]["points"] = square(limits.MAX_POINTS_PER_SHAPE)
    read_plan(escaped(plan))


def test_pretix_polygons_are_counted_too():
    plan = pretix()
    plan["zones"][0].setdefault("areas", []).append(
        {
            "shape": "polygon",
            "position": {"x": 0, "y": 0},
            "polygon": {
                "points": [
                    {"x": x, "y": y} for x, y in square(limits.MAX_POINTS_PER_SHAPE + 5)
                ]
            },
            "color": "#eeeeee",
        }
    )
    a = len(plan["zones"][0]["areas"]) - 1
    (problem,) = refused(json.dumps(plan).encode())
    assert problem.startswith(f"$.zones[0].areas[{a}].polygon.points: 1,005 points")


def test_many_shapes_add_up_to_the_plan_limit():
    plan = native()
    areas = plan["zones"][0]["areas"]
    each = limits.MAX_POINTS_PER_SHAPE
    count = limits.MAX_POINTS // each + 1
    areas += [{"shape": "polygon", "x": 0, "y": 0, "points": square(each)}] * count
    assert refused(escaped(plan)) == [
        f"$.zones: {each * count + 3:,} polygon points in all, more than the limit "
        f"of {limits.MAX_POINTS:,}"
    ]
    plan = native()
    plan["zones"][0]["areas"] = [{"shape": "text", "x": 1, "y": 1, "text": "x"}] * (
        limits.MAX_AREAS + 1
    )
    plan["zones"][0]["areas"][7] = {"shape": "text", "x": 1, "y": 1, "text": "y" * 201}
    assert refused(escaped(plan)) == [
        "$.zones[0].areas[7].text: a caption of 201 characters, more than 200",
        "$.zones: 2,001 areas, more than the limit of 2,000",
    ]


def test_the_million_point_plan_is_refused_with_its_path():
    plan = native()
    plan["zones"] = plan["zones"][:1]
    plan["zones"][0]["rows"][0]["seats"] = plan["zones"][0]["rows"][0]["seats"][:1]
    plan["zones"][0]["areas"] = [
        {"shape": "polygon", "x": 0, "y": 0, "points": square(1_000_000)}
    ]
    data = json.dumps(plan).encode()
    assert len(data) > 10_000_000
    assert refused(data) == [
        "$.zones[0].areas[0].points: 1,000,000 points, more than the limit of "
        "1,000 for one shape",
        "$.zones: 1,000,000 polygon points in all, more than the limit of 20,000",
    ]


@pytest.mark.django_db
def test_the_command_lists_the_problems_and_imports_nothing(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes((HEADER + "Stalls,A,1\x00,10,20,std\n").encode())
    err = StringIO()
    with pytest.raises(CommandError, match="nul.csv: not imported"):
        call_command("import_plan", str(path), stdout=StringIO(), stderr=err)
    assert "line 2: contains a control character (U+0000)" in err.getvalue()
    assert not SeatingPlan.objects.exists()
