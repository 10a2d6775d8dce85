"""How best available scores seats: category, row, focal point (no database).

docs/best-available.md states the rules these tests pin down.
"""

from __future__ import annotations

import math
from dataclasses import replace

from seats.focal import focal_point, front_centre
from seats.picker import LayoutSeat, best_accessible, best_block
from seats.services.seat_rules import category_ranks


def arc_row(
    name: str, radius: float, count: int, *, rank: int = 0, free: bool = True
) -> list[LayoutSeat]:
    """`count` seats on an arc around (0, 0), bulging towards the back as in
    the demo hall: the middle seats have the largest y, the ends the smallest."""
    seats = []
    for i in range(count):
        angle = (i - (count - 1) / 2) * 0.08
        seats.append(
            LayoutSeat(
                id=1000 * (ord(name) - ord("A") + 1) + i + 1,
                run=f"Stalls/{name}/0",
                run_position=i,
                x=round(radius * math.sin(angle), 2),
                y=round(radius * math.cos(angle), 2),
                category="premium" if rank == 0 else "standard",
                free=free,
                rank=rank,
                section="Stalls",
                row=name,
            )
        )
    return seats


def numbers(ids: list[int] | None) -> list[int]:
    assert ids is not None
    return [i % 1000 for i in ids]


STAGE_FRONT = (0.0, 50.0)


def test_a_curved_front_row_gives_its_centre_not_its_end():
    # By y alone the ends of a curved row look nearest the front.
    hall = arc_row("A", 300, 20) + arc_row("B", 336, 22)
    assert numbers(best_block(hall, 4, focal=STAGE_FRONT)) == [9, 10, 11, 12]


def test_without_a_focal_point_the_front_centre_of_the_seats_is_used():
    hall = arc_row("A", 300, 20) + arc_row("B", 336, 22)
    assert numbers(best_block(hall, 4)) == [9, 10, 11, 12]


def test_a_row_nearer_the_focal_point_wins_over_a_better_centred_block():
    front = [replace(s, free=not 5 <= s.id % 1000 <= 16) for s in arc_row("A", 300, 20)]
    hall = front + arc_row("B", 336, 22)
    # Row A keeps 1-4 and 17-20: four together at one end, chosen over B's middle.
    chosen = numbers(best_block(hall, 4, focal=STAGE_FRONT))
    assert chosen in ([1, 2, 3, 4], [17, 18, 19, 20])


def test_the_best_category_comes_before_the_front_rows():
    cheap_front = arc_row("A", 300, 20, rank=1)
    dear_back = arc_row("B", 336, 22, rank=0)
    chosen = best_block(cheap_front + dear_back, 4, focal=STAGE_FRONT)
    assert chosen is not None and all(i // 1000 == 2 for i in chosen)
    assert numbers(chosen) == [10, 11, 12, 13]
    # Asked for the cheaper category, the front row's centre.
    assert numbers(
        best_block(cheap_front + dear_back, 4, category="standard", focal=STAGE_FRONT)
    ) == [9, 10, 11, 12]


def test_the_focal_point_moves_the_choice():
    row = arc_row("A", 300, 20)
    left_end = (row[0].x, row[0].y - 10)
    assert numbers(best_block(row, 3, focal=left_end)) == [1, 2, 3]


def test_the_accessible_choice_ranks_spaces_by_category_then_focal_point():
    def group(x: float, y: float, first: int, rank: int) -> list[LayoutSeat]:
        space = LayoutSeat(first, f"M{first}", 0, x, y, "c", True, wheelchair=True)
        mate = LayoutSeat(first + 1, f"M{first}", 1, x + 1, y, "c", True)
        return [
            replace(space, rank=rank, row="M"),
            replace(mate, companion_of=first, rank=rank, row="M"),
        ]

    far_side = group(-40, 10, 1, 0)
    centre = group(0, 10, 11, 0)
    cheap_centre = group(1, 5, 21, 1)
    seats = far_side + centre + cheap_centre
    assert best_accessible(seats, 2, focal=(0, 0)) == [11, 12]


def test_categories_rank_by_price_then_by_their_order():
    ranks = category_ranks([(3, 30), (1, 65), (2, 45), (1, 65)])
    assert ranks == {1: 0, 2: 1, 3: 2}
    # No prices (all equal): the plan's order, which is the ids' order.
    assert category_ranks([(7, 0), (5, 0), (6, 0)]) == {5: 0, 6: 1, 7: 2}


def test_a_stage_area_gives_the_middle_of_its_front_edge():
    seats = arc_row("A", 300, 20)
    stage = {
        "shape": "rectangle",
        "x": -200,
        "y": 20,
        "width": 400,
        "height": 80,
        "text": "STAGE",
    }
    label = {"shape": "text", "x": 0, "y": 500, "text": "Stalls"}
    assert focal_point([label, stage], seats) == (0.0, 100.0)


def test_a_stage_behind_the_seats_faces_them_with_its_top_edge():
    seats = arc_row("A", 300, 20)
    stage = {"shape": "ellipse", "x": 10, "y": 600, "rx": 100, "ry": 40}
    assert focal_point([{**stage, "text": "Main stage"}], seats) == (10.0, 560.0)


def test_no_stage_means_the_front_centre_of_the_seats():
    seats = arc_row("A", 300, 20)
    not_a_stage = {"shape": "rectangle", "x": 0, "y": 0, "width": 5, "height": 5}
    bad_stage = {"shape": "rectangle", "x": "left", "text": "Stage"}
    assert focal_point([not_a_stage, bad_stage], seats) == front_centre(seats)
    assert front_centre(seats)[0] == 0.0
    assert front_centre(seats)[1] == min(s.y for s in seats)
