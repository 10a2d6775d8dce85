"""Plan order for seat lists (docs/best-available.md): the rule, and where
seats are listed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from seats import services
from seats.models import Seat
from seats.ordering import in_plan_order, natural_key, rank_rows, row_ranks
from seats.selectors import running_holds


@dataclass(frozen=True)
class S:
    id: int
    section: str
    row: str
    number: int
    label: str
    y: float = 0.0


def labels(seats: list[S]) -> list[str]:
    return [s.label for s in seats]


def curved_row(row: str, ids_from: int, *, section: str = "", front: float = 0):
    """Seats 1-20 on an arc: the middle ones (around 10) furthest back."""
    return [
        S(ids_from + n, section, row, n, f"{row}{n}", front + 100 - abs(n - 10.5) * 5)
        for n in range(1, 21)
    ]


def test_natural_keys_put_2_before_10_and_a2_before_a10():
    texts = ["10", "2", "A10", "a2", "A1", "B", "1"]
    assert sorted(texts, key=natural_key) == ["1", "2", "10", "A1", "a2", "A10", "B"]


def test_a_curved_row_lists_by_number_not_by_position():
    row = curved_row("A", 0)
    # By y the row reads 20 1 19 2 ... (its ends are nearest the front).
    by_y = sorted(row, key=lambda s: (s.y, s.id))
    assert labels(by_y)[:3] != ["A1", "A2", "A3"]
    ordered = in_plan_order(reversed(row), row_ranks(row))
    assert [s.number for s in ordered] == list(range(1, 21))


def test_rows_front_to_back_by_their_mean_y_and_sections_kept_together():
    # Balcony seats were made first (lower ids) but sit behind the stalls;
    # stalls row B's ends are nearer the front than row A's middle.
    balcony = curved_row("A", 0, section="Balcony", front=800)
    stalls_b = curved_row("B", 100, section="Stalls", front=36)
    stalls_a = curved_row("A", 200, section="Stalls", front=0)
    everything = balcony + stalls_b + stalls_a
    ranks = row_ranks(everything)
    assert sorted(ranks, key=ranks.__getitem__) == [
        ("Stalls", "A"),
        ("Stalls", "B"),
        ("Balcony", "A"),
    ]
    chosen = [balcony[3], stalls_b[0], stalls_a[19], stalls_a[9], stalls_b[12]]
    assert [(s.section, s.row, s.number) for s in in_plan_order(chosen, ranks)] == [
        ("Stalls", "A", 10),
        ("Stalls", "A", 20),
        ("Stalls", "B", 1),
        ("Stalls", "B", 13),
        ("Balcony", "A", 4),
    ]


def test_equal_numbers_fall_back_to_labels_then_ids():
    seats = [S(3, "", "A", 1, "A1b"), S(2, "", "A", 1, "A1a"), S(1, "", "A", 1, "A1a")]
    assert [s.id for s in in_plan_order(seats, {("", "A"): 0})] == [1, 2, 3]


def test_rows_at_the_same_depth_go_by_name_and_unknown_rows_last():
    ranks = rank_rows({("", "10"): 5.0, ("", "2"): 5.0, ("", "1"): 9.0})
    assert sorted(ranks, key=ranks.__getitem__) == [("", "2"), ("", "10"), ("", "1")]
    stray = S(9, "", "Z", 1, "Z1")
    placed = S(8, "", "1", 5, "15")
    assert in_plan_order([stray, placed], ranks) == [placed, stray]


@pytest.mark.django_db
def test_the_dashboards_running_holds_list_their_seats_in_plan_order(
    make_event, hold_settings
):
    """A curved row's seats held together read 9, 10, 11, 12, not by position."""
    event = make_event(rows=1, seats_per_row=14)
    seats = {s.number: s for s in Seat.objects.filter(event=event)}
    for number, seat in seats.items():
        seat.y = 100 - abs(number - 7.5) * 5  # an arc, its middle at the back
        seat.save(update_fields=["y"])
    wanted = [seats[n].id for n in (12, 9, 11, 10)]
    services.hold_seats(event_id=event.id, holder="h", seat_ids=wanted)
    [running] = [h for h in running_holds() if h.event_id == event.id]
    assert running.seat_labels == [seats[n].label for n in (9, 10, 11, 12)]
