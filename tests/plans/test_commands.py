"""import_plan, export_plan, create_event and seed_demo: what they print and store."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from plans.store import plan_of
from seats import services
from seats.models import Event, PriceCategory, Seat, SeatingPlan
from tests.conftest import T0

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "plans"
DEMO = PLANS / "grand-hall.pretix.json"
DEMO_FLAGS = PLANS / "grand-hall.flags.csv"


def run(name: str, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def pretix_plan(**extra) -> dict:
    """A small pretix plan: one zone, rows A (3 seats) and B (2 seats)."""
    return {
        "name": "Studio",
        "categories": [{"name": "Front", "color": "#aa0000"}, {"name": "Back"}],
        "zones": [
            {
                "name": "Floor",
                "position": {"x": 0, "y": 0},
                "rows": [
                    {
                        "row_number": row,
                        "position": {"x": 0, "y": y},
                        "seats": [
                            {
                                "seat_guid": f"{row}{n}",
                                "seat_number": str(n),
                                "position": {"x": 20 * n, "y": 0},
                                "category": category,
                            }
                            for n in range(1, count + 1)
                        ],
                    }
                    for row, y, count, category in (
                        ("A", 0, 3, "Front"),
                        ("B", 30, 2, "Back"),
                    )
                ],
                **extra,
            }
        ],
        "size": {"width": 200, "height": 100},
    }


def write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content)
    else:
        path.write_text(json.dumps(content))
    return path


def test_import_prints_the_plan_id_seat_count_and_every_warning(tmp_path):
    path = write(tmp_path, "studio.json", pretix_plan(foo=1))

    out, _ = run("import_plan", str(path))

    stored = SeatingPlan.objects.get()
    assert "warning: $.zones[0].foo: unknown field, ignored" in out.splitlines()
    assert f"Imported plan 'Studio' (id {stored.id}): 5 seats, 2 categories." in out
    assert stored.seat_count == 5


def test_a_refused_file_lists_its_problems_and_imports_nothing(tmp_path):
    plan = pretix_plan()
    seats = plan["zones"][0]["rows"][0]["seats"]
    seats[1]["position"] = {"x": "far", "y": 0}
    del seats[2]["seat_guid"]
    path = write(tmp_path, "broken.json", plan)
    err = StringIO()

    with pytest.raises(CommandError, match="broken.json: not imported"):
        call_command("import_plan", str(path), stdout=StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    assert len(lines) >= 2
    assert any(line.startswith("$.zones[0].rows[0].seats[1]") for line in lines)
    assert any(line.startswith("$.zones[0].rows[0].seats[2]") for line in lines)
    assert not SeatingPlan.objects.exists()


def test_a_refused_file_exits_with_status_1(tmp_path):
    path = write(tmp_path, "empty.json", "{}")

    done = subprocess.run(
        [sys.executable, "manage.py", "import_plan", str(path)],
        cwd=ROOT,
        env={**os.environ, "SEATS_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 1
    assert "$.zones: missing" in done.stderr.splitlines()
    assert "empty.json: not imported (4 problem(s) above)" in done.stderr
    assert done.stdout == ""


def test_flags_and_a_name_are_applied_on_import(tmp_path):
    path = write(tmp_path, "studio.json", pretix_plan())
    flags = write(
        tmp_path,
        "flags.csv",
        "key,wheelchair,companion_of,restricted_view,note\n"
        "A1,yes,,,\nA2,,A1,,\nB2,,,yes,Behind a pillar\n",
    )

    run("import_plan", str(path), "--flags", str(flags), "--name", "Studio 2")

    stored = SeatingPlan.objects.get()
    seats = {s.key: s for _, _, s in plan_of(stored).seats()}
    assert stored.name == "Studio 2"
    assert seats["A1"].wheelchair and seats["A2"].companion_of == "A1"
    assert (seats["B2"].restricted_view, seats["B2"].note) == (True, "Behind a pillar")


def test_bad_flags_refuse_the_import(tmp_path):
    path = write(tmp_path, "studio.json", pretix_plan())
    flags = write(tmp_path, "flags.csv", "key,wheelchair\nZ9,yes\n")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_plan",
            str(path),
            "--flags",
            str(flags),
            stdout=StringIO(),
            stderr=err,
        )

    assert 'seat "Z9"' in err.getvalue()
    assert not SeatingPlan.objects.exists()


def test_export_then_import_gives_the_same_plan(tmp_path):
    run("import_plan", str(DEMO), "--flags", str(DEMO_FLAGS))
    first = SeatingPlan.objects.get()
    exported = tmp_path / "hall.json"

    run("export_plan", str(first.id), "--output", str(exported))
    run("import_plan", str(exported))

    second = SeatingPlan.objects.exclude(pk=first.pk).get()
    assert plan_of(second) == plan_of(first)
    assert (second.areas, second.seat_count) == (first.areas, first.seat_count)
    # Without --output the document goes to standard output, unchanged.
    out, _ = run("export_plan", str(first.id))
    assert out.encode() == exported.read_bytes()


def test_export_as_pretix_writes_pretix_json():
    run("import_plan", str(DEMO))

    out, _ = run("export_plan", "Grand Hall", "--format", "pretix")

    document = json.loads(out)
    assert document["name"] == "Grand Hall"
    assert [z["name"] for z in document["zones"]] == ["Stalls", "Balcony"]
    assert "format" not in document


def test_create_event_prints_its_id_and_prices_its_categories(tmp_path):
    run("import_plan", str(write(tmp_path, "studio.json", pretix_plan())))
    plan = SeatingPlan.objects.get()

    out, _ = run(
        "create_event",
        "--plan",
        "Studio",
        "--name",
        "Opening Night",
        "--starts-at",
        "2026-12-31T19:30",
        "--price",
        "front=45.00",
        "--allow-single-seats",
    )

    event = Event.objects.get(pk=int(re.search(r"\(id (\d+)\)", out).group(1)))
    assert event.name == "Opening Night" and event.plan == plan
    assert event.starts_at.isoformat() == "2026-12-31T19:30:00+00:00"
    assert not event.avoid_single_seats
    assert dict(PriceCategory.objects.values_list("code", "price")) == {
        "front": Decimal("45.00"),
        "back": Decimal("0.00"),
    }
    assert event.seats.count() == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "Nowhere"], "No plan with id or name 'Nowhere'"),
        (["--plan", "Studio", "--price", "stalls=5"], "No category stalls"),
        (["--plan", "Studio", "--price", "front"], "is not CODE=AMOUNT"),
        (["--plan", "Studio", "--starts-at", "soon"], "is not an ISO date"),
    ],
)
def test_create_event_refuses_bad_arguments(tmp_path, args, message):
    run("import_plan", str(write(tmp_path, "studio.json", pretix_plan())))
    defaults = {"--name": "X", "--starts-at": "2026-12-31T19:30"}
    for option, value in defaults.items():
        if option not in args:
            args = [*args, option, value]

    with pytest.raises(CommandError, match=message):
        run("create_event", *args)

    assert not Event.objects.exists()


def test_import_can_create_an_event_at_once(tmp_path):
    path = write(tmp_path, "studio.json", pretix_plan())

    out, _ = run(
        "import_plan",
        str(path),
        "--create-event",
        "Matinee",
        "--starts-at",
        "2026-06-01T15:00+02:00",
        "--price",
        "back=12.50",
    )

    event = Event.objects.get()
    assert f"(id {event.id})" in out
    assert event.avoid_single_seats
    assert PriceCategory.objects.get(code="back").price == Decimal("12.50")


def test_import_replace_moves_the_events_or_refuses(
    tmp_path, hold_settings, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: T0)
    path = write(tmp_path, "studio.json", pretix_plan())
    run("import_plan", str(path))
    plan = SeatingPlan.objects.get()
    run(
        "create_event",
        "--plan",
        str(plan.id),
        "--name",
        "X",
        "--starts-at",
        "2026-12-31",
    )
    event = Event.objects.get()
    smaller = pretix_plan()
    smaller["zones"][0]["rows"].pop()  # row B goes
    b1 = Seat.objects.get(key="B1")
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=[b1.id], now=T0)
    smaller_path = write(tmp_path, "smaller.json", smaller)

    with pytest.raises(CommandError, match="lacks 1 held or booked seat"):
        run("import_plan", str(smaller_path), "--replace", str(plan.id))
    assert event.seats.count() == 5

    services.release_all(event_id=event.id, holder="alice", now=T0)
    out, _ = run("import_plan", str(smaller_path), "--replace", str(plan.id))

    assert f"Event 'X' (id {event.id}) follows the plan." in out
    assert sorted(event.seats.values_list("key", flat=True)) == ["A1", "A2", "A3"]
    assert SeatingPlan.objects.get().seat_count == 3


def test_seed_demo_seats_the_grand_hall_once():
    first, _ = run("seed_demo")

    event = Event.objects.get()
    assert f"(id {event.id})" in first
    assert event.plan.name == "Grand Hall"
    assert event.seats.count() == event.plan.seat_count >= 400
    assert dict(PriceCategory.objects.values_list("code", "price")) == {
        "premium": Decimal("65.00"),
        "standard": Decimal("45.00"),
        "balcony": Decimal("30.00"),
    }
    assert event.seats.filter(wheelchair=True).exists()
    assert run("seed_demo")[0].strip() == "Events exist; no demo event created."

    run("seed_demo", "--force", "--name", "Second Show", "--allow-single-seats")

    assert SeatingPlan.objects.count() == 1  # imported once, then reused
    second = Event.objects.get(name="Second Show")
    assert second.plan == event.plan and not second.avoid_single_seats


def test_seed_demo_builds_a_grid_when_given_its_size():
    out, _ = run("seed_demo", "--rows", "3", "--seats-per-row", "4", "--name", "Grid")

    event = Event.objects.get()
    assert f"Created demo event 'Grid' (id {event.id})." in out
    assert event.plan is None and event.avoid_single_seats
    assert event.seats.count() == 12
    assert not SeatingPlan.objects.exists()


def test_create_event_sets_the_checkout_url(tmp_path):
    run("import_plan", str(write(tmp_path, "studio.json", pretix_plan())))
    args = ["--plan", "Studio", "--starts-at", "2026-12-31T19:30"]

    out, _ = run(
        "create_event",
        *args,
        "--name",
        "Sold by the shop",
        "--checkout-url",
        "https://shop.example/checkout?lang=de",
    )
    run("create_event", *args, "--name", "Box office only")

    shop = Event.objects.get(name="Sold by the shop")
    assert shop.checkout_url == "https://shop.example/checkout?lang=de"
    assert "Checkout: https://shop.example/checkout?lang=de" in out
    assert Event.objects.get(name="Box office only").checkout_url == ""


@pytest.mark.parametrize(
    "url", ["shop.example/checkout", "ftp://shop.example/x", "javascript:alert(1)"]
)
def test_create_event_refuses_a_checkout_url_that_is_no_web_address(tmp_path, url):
    run("import_plan", str(write(tmp_path, "studio.json", pretix_plan())))

    with pytest.raises(CommandError, match="is not an http\\(s\\) URL"):
        run(
            "create_event",
            *("--plan", "Studio", "--name", "X", "--starts-at", "2026-12-31"),
            "--checkout-url",
            url,
        )

    assert not Event.objects.exists()


def test_seed_demo_sells_through_a_shop_only_when_told_to():
    out, _ = run("seed_demo", "--rows", "2", "--seats-per-row", "3", "--name", "A")
    shop_out, _ = run(
        "seed_demo",
        "--force",
        "--name",
        "C",
        "--checkout-url",
        "http://127.0.0.1:8100/checkout",
    )

    checkout = dict(Event.objects.values_list("name", "checkout_url"))
    assert checkout == {"A": "", "C": "http://127.0.0.1:8100/checkout"}
    assert "Checkout:" not in out
    assert "Checkout: http://127.0.0.1:8100/checkout" in shop_out
    assert Event.objects.get(name="C").plan.name == "Grand Hall"


def test_seed_demo_refuses_a_bad_checkout_url_and_creates_nothing():
    with pytest.raises(CommandError, match="is not an http\\(s\\) URL"):
        run("seed_demo", "--rows", "2", "--checkout-url", "not a url")

    assert not Event.objects.exists()


def test_seed_demo_creates_one_grid_event_once():
    """With --rows/--seats-per-row: a grid built in code (the plain command
    seats the Grand Hall plan; tests/plans/test_commands.py covers it)."""
    first, _ = run("seed_demo", "--rows", "10", "--seats-per-row", "20")

    event = Event.objects.get()
    assert f"(id {event.id})" in first
    assert event.seats.count() == 200
    assert sorted(PriceCategory.objects.values_list("code", flat=True)) == [
        "premium",
        "standard",
    ]
    assert {c.seats.count() for c in PriceCategory.objects.all()} == {60, 140}

    second, _ = run("seed_demo", "--rows", "10", "--seats-per-row", "20")

    assert second.strip() == "Events exist; no demo event created."
    assert Event.objects.count() == 1
    assert Seat.objects.count() == 200
    assert PriceCategory.objects.count() == 2
