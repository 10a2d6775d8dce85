"""The best-available picker on tricky layouts (no database)."""

from __future__ import annotations

from dataclasses import replace

from seats.picker import LayoutSeat, best_accessible, best_block


def layout(*rows: str, category: str = "std") -> list[LayoutSeat]:
    """Rows drawn as strings: '.' free, 'x' taken, ' ' no seat (an aisle).

    Each row is one run; the gap an aisle leaves in the run positions breaks
    it. Seat ids are 100 * row + column, so a block reads back as positions.
    """
    seats = []
    for y, drawing in enumerate(rows):
        for x, mark in enumerate(drawing):
            if mark == " ":
                continue
            seats.append(
                LayoutSeat(
                    id=100 * y + x,
                    run=chr(ord("A") + y),
                    run_position=x,
                    x=x,
                    y=y,
                    category=category,
                    free=mark == ".",
                )
            )
    return seats


def test_front_row_centre_first():
    assert best_block(layout(".........", "........."), 3) == [3, 4, 5]


def test_front_row_wins_over_a_better_centred_seat_further_back():
    assert best_block(layout("xxxxxx...", "........."), 3) == [6, 7, 8]


def test_an_aisle_breaks_adjacency():
    # Two free seats either side of the aisle are not "two together".
    assert best_block(layout("xx.. ..xx", "........."), 3) == [103, 104, 105]
    assert best_block(layout("xx.. ..xx"), 2) in ([2, 3], [5, 6])


def test_two_runs_of_one_row_are_not_neighbours_even_when_numbered_on():
    # A row cut at an aisle into runs "A-left" and "A-right" whose positions
    # and coordinates carry straight on: the run names decide.
    left = [LayoutSeat(i, "A-left", i, i, 0, "std", True) for i in range(3)]
    right = [LayoutSeat(i, "A-right", i, i, 0, "std", True) for i in range(3, 6)]
    assert best_block(left + right, 4) is None
    assert best_block(left + right, 3) in ([0, 1, 2], [3, 4, 5])


def test_a_curved_row_is_its_run_order_not_its_coordinates():
    # Five seats on an arc whose run order is 0, 3, 1, 4, 2: by x, 1 and 3
    # would look like neighbours and 0 and 4 like the two ends.
    position = {0: 0, 3: 1, 1: 2, 4: 3, 2: 4}
    arc = {0: (0.0, 2.0), 1: (1.0, 1.0), 2: (2.0, 0.5), 3: (1.0, 3.0), 4: (4.0, 2.0)}
    seats = [
        LayoutSeat(i, "Circle/A", position[i], x, y, "std", True)
        for i, (x, y) in arc.items()
    ]
    for count in (2, 3, 4):
        chosen = best_block(seats, count)
        assert chosen is not None
        assert [position[i] for i in chosen] == list(
            range(position[chosen[0]], position[chosen[0]] + count)
        )
    # Seat 3 (position 1) taken: positions 2-4 are the only three together.
    taken = [replace(s, free=s.id != 3) for s in seats]
    assert best_block(taken, 3) == [1, 4, 2]


def test_a_gap_in_run_positions_is_a_break():
    # Position 2 is missing (a seat left out of the plan): 1 and 3 are apart.
    seats = [LayoutSeat(i, "R", i, i, 0, "std", True) for i in (0, 1, 3, 4)]
    assert best_block(seats, 3) is None
    assert best_block(seats, 2) in ([0, 1], [3, 4])


def test_rows_too_short_or_full_give_nothing():
    assert best_block(layout("...", "x.x"), 4) is None
    assert best_block(layout("xxxx"), 1) is None
    assert best_block([], 1) is None
    assert best_block(layout("...."), 0) is None


def test_a_single_seat_is_not_stranded_when_another_choice_exists():
    # The centred blocks 2-3 and 3-4 would each leave a lone seat (1 or 5)
    # next to a taken one; 1-2 and 4-5 leave a usable pair instead.
    assert best_block(layout("x.....x"), 2) == [1, 2]
    # Without the taken seats nothing is stranded and the centre wins.
    assert best_block(layout("......."), 2) == [2, 3]


def test_with_the_rule_on_a_stranding_block_is_never_chosen():
    # The only two-seat blocks in row A leave a lone seat.
    assert best_block(layout("x...x"), 2) is None
    assert best_block(layout("x...x"), 2, avoid_single_seats=True) is None
    # Taking all three strands nothing.
    assert best_block(layout("x...x"), 3) == [1, 2, 3]
    # A seat stranded already does not count against a block elsewhere.
    assert best_block(layout("x.x...."), 2) in ([3, 4], [5, 6])


def test_with_the_rule_off_a_stranding_block_is_the_last_resort():
    assert best_block(layout("x...x"), 2, avoid_single_seats=False) in (
        [1, 2],
        [2, 3],
    )
    # ...but one that strands nothing still wins.
    assert best_block(layout("x.....x"), 2, avoid_single_seats=False) == [1, 2]


def test_avoiding_a_stranded_seat_may_move_back_a_row():
    assert best_block(layout("x...x", "xx..x"), 2) == [102, 103]


def test_category_filter():
    premium = layout("....", category="premium")
    standard = [
        replace(s, id=s.id + 100, run="B", y=1, category="standard")
        for s in layout("....")
    ]
    seats = premium + standard
    assert best_block(seats, 2, category="standard") == [101, 102]
    assert best_block(seats, 2, category="premium") == [1, 2]
    assert best_block(seats, 2, category="balcony") is None


def test_deterministic_tie_break_to_the_left():
    # Centre at x=2.5: seats 2 and 3 are equally central; the left one wins.
    assert best_block(layout("......"), 2) == [2, 3]
    assert best_block(layout("......"), 1) == [2]


# Wheelchair spaces and their companion seats.


def accessible_row(
    drawing: str, y: int = 0, category: str = "std", free: str = ".wc"
) -> list[LayoutSeat]:
    """One run: '.'/'x' a seat, 'w'/'W' a wheelchair space, 'c'/'C' a companion
    of the nearest space to its left (upper case: taken)."""
    seats = []
    space = None
    for x, mark in enumerate(drawing):
        sid = 100 * y + x
        if mark in "wW":
            space = sid
        seats.append(
            LayoutSeat(
                id=sid,
                run=f"R{y}",
                run_position=x,
                x=x,
                y=y,
                category=category,
                free=mark in free,
                wheelchair=mark in "wW",
                companion_of=space if mark in "cC" else None,
            )
        )
    return seats


def test_plain_best_available_leaves_wheelchair_spaces_and_companions_alone():
    seats = accessible_row("..wc..")
    assert best_block(seats, 2) in ([0, 1], [4, 5])
    assert best_block(seats, 3) is None


def test_accessible_takes_a_space_and_its_nearest_free_companions():
    seats = accessible_row("wcc...")
    assert best_accessible(seats, 1) == [0]
    assert best_accessible(seats, 2) == [0, 1]
    assert best_accessible(seats, 3) == [0, 1, 2]
    # Not enough companions for one more.
    assert best_accessible(seats, 4) is None


def test_accessible_prefers_the_front_then_the_centre():
    back = accessible_row("..wc..", y=1)
    front_edge = accessible_row("wc....", y=0)
    assert best_accessible(back + front_edge, 2) == [0, 1]
    assert best_accessible(accessible_row("wc..wc.."), 2) == [4, 5]


def test_accessible_skips_a_space_whose_companions_are_taken():
    seats = accessible_row("wC..wc")
    assert best_accessible(seats, 2) == [4, 5]
    assert best_accessible(accessible_row("wC..Wc"), 2) is None
    assert best_accessible(accessible_row("wC..Wc"), 1) == [0]


def test_accessible_respects_the_category():
    seats = accessible_row("wc", category="premium") + accessible_row(
        "wc", y=1, category="standard"
    )
    assert best_accessible(seats, 2, category="standard") == [100, 101]
    assert best_accessible(seats, 2, category="balcony") is None


def test_accessible_never_strands_a_seat_with_the_rule_on():
    # Space 3 with companions 2 and 4. Taking 2 would strand seat 1 next to
    # the taken seat 0, so companion 4 goes with the space, rule or not.
    seats = [
        replace(s, companion_of=3) if s.id in (2, 4) else s
        for s in accessible_row("x.cwc.")
    ]
    assert best_accessible(seats, 2) == [3, 4]
    assert best_accessible(seats, 2, avoid_single_seats=False) == [3, 4]
    # With companion 4 taken, the space and companion 2 is the only group.
    seats = [replace(s, free=s.free and s.id != 4) for s in seats]
    assert best_accessible(seats, 2) is None
    assert best_accessible(seats, 2, avoid_single_seats=False) == [3, 2]
    # The space alone strands nothing: it is offered.
    assert best_accessible(seats, 1) == [3]
