"""Plans in the database and events made from them (plans.store)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from plans.document import (
    Area,
    Category,
    Plan,
    PlanRejected,
    PlanSeat,
    Row,
    Zone,
)
from plans.store import (
    PlanChangeRefused,
    change_event_plan,
    create_event,
    plan_of,
    replace_plan,
    save_plan,
)
from seats import services
from seats.models import Event, PriceCategory, Seat, SeatingPlan
from tests.conftest import T0, later

pytestmark = pytest.mark.django_db

CATEGORIES = (
    Category("front", "Front", "#aa0000"),
    Category("back", "Back", "#0000aa"),
)


def straight_row(
    name: str,
    y: float,
    count: int,
    *,
    category: str = "front",
    aisle_after: int | None = None,
) -> Row:
    """`count` seats 10 apart, numbered from 1; an aisle (30) after `aisle_after`."""
    seats = []
    x = 0.0
    for n in range(1, count + 1):
        seats.append(PlanSeat(f"{name}{n}", str(n), x, float(y), category))
        x += 30.0 if n == aisle_after else 10.0
    return Row(name, tuple(seats))


def one_zone_plan(*rows: Row, name: str = "Little Hall", width: float = 0.0) -> Plan:
    return Plan(
        name,
        CATEGORIES,
        (Zone("Stalls", rows),),
        width=float(width),
        height=float(width),
    )


def with_seat(row: Row, index: int, **changes) -> Row:
    """The row with seat `index` replaced by a copy carrying `changes`."""
    seats = list(row.seats)
    seat = seats[index]
    seats[index] = PlanSeat(
        **{**{f: getattr(seat, f) for f in seat.__dataclass_fields__}, **changes}
    )
    return Row(row.name, tuple(seats), row.label, row.seat_label, row.uuid)


def seats_by_key(event: Event) -> dict[str, Seat]:
    return {s.key: s for s in Seat.objects.filter(event=event)}


def new_event(stored: SeatingPlan, **kwargs) -> Event:
    kwargs.setdefault("avoid_single_seats", False)
    return create_event(plan=stored, name="Première", starts_at=T0, **kwargs)


# Storing plans.


def test_save_plan_stores_the_document_areas_size_and_count():
    stage = Area(
        "rectangle", 0.0, -50.0, color="#eee", width=100.0, height=20.0, text="STAGE"
    )
    plan = Plan(
        "Little Hall",
        CATEGORIES,
        (
            Zone(
                "Stalls", (straight_row("A", 0, 4), straight_row("B", 12, 3)), (stage,)
            ),
        ),
    )

    stored = save_plan(plan=plan)

    stored.refresh_from_db()
    assert stored.name == "Little Hall"
    assert stored.seat_count == 7
    # No size in the plan: the seats' extent (x up to 30, y up to 12) plus 40.
    assert (stored.width, stored.height) == (70.0, 52.0)
    assert stored.areas == [
        {
            "shape": "rectangle",
            "x": 0,
            "y": -50,
            "width": 100,
            "height": 20,
            "color": "#eee",
            "text": "STAGE",
        }
    ]
    assert stored.document["format"] == "seats-plan"
    again = plan_of(stored)
    assert again.zones == plan.zones
    assert (again.width, again.height) == (70.0, 52.0)


def test_save_plan_replaces_a_stored_plan_in_place():
    first = save_plan(plan=one_zone_plan(straight_row("A", 0, 4), width=500))

    second = save_plan(
        plan=one_zone_plan(straight_row("A", 0, 6), name="Bigger", width=600),
        replace=first,
    )

    assert second.pk == first.pk
    assert SeatingPlan.objects.count() == 1
    first.refresh_from_db()
    assert (first.name, first.seat_count, first.width) == ("Bigger", 6, 600)


def test_save_plan_refuses_what_the_columns_cannot_hold():
    long_key = "k" * 65
    row = with_seat(straight_row("A", 0, 3), 1, key=long_key)

    with pytest.raises(PlanRejected) as refused:
        save_plan(plan=one_zone_plan(row, Row("R" * 17, ())))

    assert [str(p) for p in refused.value.problems] == [
        "$.zones[0].rows[0].seats[1].key: longer than 64 characters",
        "$.zones[0].rows[1].name: longer than 16 characters",
    ]
    assert not SeatingPlan.objects.exists()


def test_save_plan_refuses_a_key_used_twice():
    row = with_seat(straight_row("A", 0, 3), 2, key="A1")

    with pytest.raises(PlanRejected) as refused:
        save_plan(plan=one_zone_plan(row))

    assert [str(p) for p in refused.value.problems] == [
        "$.zones[0].rows[0].seats[2].key: 'A1' is already the key of "
        "$.zones[0].rows[0].seats[0]"
    ]


def test_a_plan_with_events_cannot_be_deleted():
    stored = save_plan(plan=one_zone_plan(straight_row("A", 0, 3)))
    new_event(stored)

    with pytest.raises(ProtectedError):
        stored.delete()


# Making events.


def test_create_event_copies_every_seat_category_and_flag():
    row_a = straight_row("A", 0, 6, aisle_after=3)
    row_a = with_seat(row_a, 0, wheelchair=True)
    row_a = with_seat(row_a, 1, companion_of="A1")
    row_a = with_seat(row_a, 5, restricted_view=True, note="Behind a pillar")
    row_b = straight_row("B", 12, 2, category="back")
    stored = save_plan(plan=one_zone_plan(row_a, row_b, width=300))

    event = new_event(
        stored,
        prices={"front": Decimal("45.00")},
        currency="GBP",
        avoid_single_seats=True,
    )

    assert event.plan == stored and event.avoid_single_seats
    categories = {c.code: c for c in PriceCategory.objects.filter(event=event)}
    assert {
        code: (c.name, c.color, c.price, c.currency) for code, c in categories.items()
    } == {
        "front": ("Front", "#aa0000", Decimal("45.00"), "GBP"),
        "back": ("Back", "#0000aa", Decimal("0.00"), "GBP"),
    }
    seats = seats_by_key(event)
    assert {
        key: (s.section, s.row, s.number, s.label, s.x, s.y, s.run, s.run_position)
        for key, s in seats.items()
    } == {
        "A1": ("Stalls", "A", 1, "A1", 0.0, 0.0, "Stalls/A/0", 0),
        "A2": ("Stalls", "A", 2, "A2", 10.0, 0.0, "Stalls/A/0", 1),
        "A3": ("Stalls", "A", 3, "A3", 20.0, 0.0, "Stalls/A/0", 2),
        # The aisle after A3 starts a new run.
        "A4": ("Stalls", "A", 4, "A4", 50.0, 0.0, "Stalls/A/1", 0),
        "A5": ("Stalls", "A", 5, "A5", 60.0, 0.0, "Stalls/A/1", 1),
        "A6": ("Stalls", "A", 6, "A6", 70.0, 0.0, "Stalls/A/1", 2),
        "B1": ("Stalls", "B", 1, "B1", 0.0, 12.0, "Stalls/B/0", 0),
        "B2": ("Stalls", "B", 2, "B2", 10.0, 12.0, "Stalls/B/0", 1),
    }
    assert {k for k, s in seats.items() if s.category.code == "back"} == {"B1", "B2"}
    assert [k for k, s in seats.items() if s.wheelchair] == ["A1"]
    assert seats["A2"].companion_of_id == seats["A1"].id
    assert [k for k, s in seats.items() if s.companion_of_id] == ["A2"]
    assert [(k, s.note) for k, s in seats.items() if s.restricted_view] == [
        ("A6", "Behind a pillar")
    ]
    assert all(s.hold_id is None and s.booking_id is None for s in seats.values())


def test_labels_name_the_zone_when_there_are_several_and_never_clash():
    stalls = Zone(
        "Stalls",
        (
            Row(
                "A",
                (
                    PlanSeat("s1", "7", 0.0, 0.0, "front"),
                    PlanSeat("s2", "8", 10.0, 0.0, "front", label="A7"),  # A7 again
                    PlanSeat("s3", "7b", 20.0, 0.0, "front"),
                    PlanSeat("s4", "9", 30.0, 0.0, "front", label="Box seat"),
                ),
            ),
        ),
    )
    balcony = Zone("Balcony", (Row("B", (PlanSeat("b7", "7", 0.0, 50.0, "back"),)),))
    stored = save_plan(plan=Plan("Two Tiers", CATEGORIES, (stalls, balcony)))

    seats = seats_by_key(new_event(stored))

    assert {k: (s.number, s.label) for k, s in seats.items()} == {
        "s1": (7, "Stalls A7"),
        "s2": (8, "Stalls A7 #2"),
        # Not a number: its position in the row, the printed text in the label.
        "s3": (3, "Stalls A7b"),
        "s4": (9, "Stalls Box seat"),
        "b7": (7, "Balcony B7"),
    }


def test_create_event_refuses_prices_for_unknown_categories():
    stored = save_plan(plan=one_zone_plan(straight_row("A", 0, 3)))

    with pytest.raises(ValueError, match="No category stalls"):
        new_event(stored, prices={"stalls": Decimal("10")})

    assert not Event.objects.exists()


def test_create_event_writes_seats_in_batches(django_assert_max_num_queries):
    rows = [straight_row(f"R{r:02}", r * 12.0, 100) for r in range(30)]
    stored = save_plan(plan=one_zone_plan(*rows, width=2000))

    # 3,000 seats: one INSERT per batch, not one per seat (SQLite's cap on
    # bound parameters makes its batches ~60 rows; PostgreSQL's are 1,000).
    with django_assert_max_num_queries(100):
        event = new_event(stored)

    assert event.seats.count() == 3000


# Changing an event's plan.


@pytest.fixture
def hall(hold_settings) -> SeatingPlan:
    return save_plan(
        plan=one_zone_plan(
            straight_row("A", 0, 4),
            straight_row("B", 12, 4, category="back"),
            width=300,
        )
    )


def test_a_plan_change_that_drops_held_or_booked_seats_is_refused(hall):
    event = new_event(hall)
    seats = seats_by_key(event)
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=[seats["B3"].id], now=later(0)
    )
    services.hold_seats(
        event_id=event.id, holder="bob", seat_ids=[seats["B4"].id], now=later(0)
    )
    services.book_seats(
        event_id=event.id, holder="bob", seat_ids=[seats["B4"].id], now=later(1)
    )
    smaller = save_plan(plan=one_zone_plan(straight_row("A", 0, 5), width=300))
    before = sorted(Seat.objects.values_list("id", "key", "label", "x", "holder"))

    with pytest.raises(PlanChangeRefused) as refused:
        change_event_plan(event=event, plan=smaller, now=later(2))

    assert refused.value.code == "plan_change_refused"
    assert refused.value.labels == ["B3", "B4"]
    assert refused.value.seat_ids == sorted([seats["B3"].id, seats["B4"].id])
    assert "B3, B4" in refused.value.message
    assert sorted(Seat.objects.values_list("id", "key", "label", "x", "holder")) == (
        before
    )
    event.refresh_from_db()
    assert event.plan == hall
    assert event.version == 3  # the hold, the other hold, the booking


def test_a_lapsed_hold_does_not_keep_a_seat_in_the_plan(hall):
    event = new_event(hall)
    b3 = seats_by_key(event)["B3"]
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=[b3.id], now=T0)
    smaller = save_plan(plan=one_zone_plan(straight_row("A", 0, 4), width=300))

    change_event_plan(event=event, plan=smaller, now=later(301))

    assert sorted(seats_by_key(event)) == ["A1", "A2", "A3", "A4"]


def test_a_plan_change_adds_removes_and_moves_seats_by_key(hall):
    event = new_event(hall)
    before = seats_by_key(event)
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=[before["A2"].id], now=later(0)
    )
    # A2 moves (and keeps its hold), A1 and A3 swap labels, A4 becomes a
    # wheelchair space with B1 as its companion in a new category, B2-B4
    # vanish, C1 is new.
    row_a = straight_row("A", 0, 4)
    row_a = with_seat(row_a, 0, label="A3")
    row_a = with_seat(row_a, 1, x=15.0, y=2.0)
    row_a = with_seat(row_a, 2, label="A1")
    row_a = with_seat(row_a, 3, wheelchair=True)
    row_b = Row("B", (PlanSeat("B1", "1", 0.0, 12.0, "boxes", companion_of="A4"),))
    row_c = straight_row("C", 24, 1)
    new_plan = Plan(
        "Little Hall v2",
        (*CATEGORIES, Category("boxes", "Boxes", "#00aa00")),
        (Zone("Stalls", (row_a, row_b, row_c)),),
        width=300.0,
        height=300.0,
    )
    event.refresh_from_db()
    version = event.version

    change_event_plan(event=event, plan=save_plan(plan=new_plan), now=later(10))

    after = seats_by_key(event)
    assert sorted(after) == ["A1", "A2", "A3", "A4", "B1", "C1"]
    for key in ("A1", "A2", "A3", "A4", "B1"):
        assert after[key].id == before[key].id
    assert (after["A1"].label, after["A3"].label) == ("A3", "A1")
    assert (after["A2"].x, after["A2"].y) == (15.0, 2.0)
    assert (after["A2"].holder, after["A2"].held_until) == ("alice", later(300))
    assert after["A4"].wheelchair
    assert after["B1"].companion_of_id == after["A4"].id
    assert after["B1"].category.code == "boxes"
    assert after["B1"].category.price == Decimal("0")
    assert after["C1"].label == "C1" and after["C1"].run == "Stalls/C/0"
    assert event.version == version + 1
    event.refresh_from_db()
    assert event.plan.name == "Little Hall v2"
    assert event.version == version + 1
    assert PriceCategory.objects.filter(event=event).count() == 3


def test_a_plan_change_is_announced_as_one_change_of_its_own(
    hall, announcements, django_capture_on_commit_callbacks
):
    event = new_event(hall)
    smaller = save_plan(plan=one_zone_plan(straight_row("A", 0, 2)))
    with django_capture_on_commit_callbacks(execute=True):
        change_event_plan(event=event, plan=smaller, now=later(5))
    (change,) = announcements
    assert (change.event_id, change.reason, change.at) == (
        event.id,
        "plan_changed",
        later(5),
    )
    assert change.version == event.version == 1
    assert change.seats == () and change.holders == ()


def test_changing_to_the_same_plan_changes_no_seat(hall):
    event = new_event(hall)
    before = sorted(Seat.objects.values_list(*[f.attname for f in Seat._meta.fields]))

    change_event_plan(event=event, plan=hall, now=later(0))

    after = sorted(Seat.objects.values_list(*[f.attname for f in Seat._meta.fields]))
    assert after == before
    assert event.version == 1


def test_replacing_a_plan_moves_every_event_made_from_it(hall):
    first, second = new_event(hall), new_event(hall)
    bigger = one_zone_plan(straight_row("A", 0, 4), straight_row("B", 12, 6))

    moved = replace_plan(stored=hall, plan=bigger, now=later(0))

    assert moved == [first, second]
    hall.refresh_from_db()
    assert hall.seat_count == 10
    for event in (first, second):
        assert sorted(seats_by_key(event))[-2:] == ["B5", "B6"]


def test_replacing_a_plan_is_all_or_nothing(hall):
    free, busy = new_event(hall), new_event(hall)
    b1 = seats_by_key(busy)["B1"]
    services.hold_seats(event_id=busy.id, holder="alice", seat_ids=[b1.id], now=T0)

    with pytest.raises(PlanChangeRefused) as refused:
        replace_plan(
            stored=hall, plan=one_zone_plan(straight_row("A", 0, 4)), now=later(1)
        )

    assert refused.value.message.startswith("Première: the new plan lacks 1 held")
    assert hall.seat_count == 8  # the object, as well as the row
    hall.refresh_from_db()
    assert hall.seat_count == 8
    assert len(seats_by_key(free)) == len(seats_by_key(busy)) == 8
