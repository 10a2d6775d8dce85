"""The best-available picker on tricky layouts (no database)."""

from __future__ import annotations

from seats.picker import LayoutSeat, best_block


def layout(*rows: str, category: str = "std") -> list[LayoutSeat]:
    """Rows drawn as strings: '.' free, 'x' taken, ' ' no seat (an aisle).

    Seat ids are 100 * row + column, so a block reads back as positions.
    """
    seats = []
    for y, drawing in enumerate(rows):
        for x, mark in enumerate(drawing):
            if mark == " ":
                continue
            seats.append(
                LayoutSeat(
                    id=100 * y + x,
                    section="S",
                    row=chr(ord("A") + y),
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


def test_a_stranded_seat_is_accepted_when_nothing_else_fits():
    # The only two-seat blocks in row A leave a lone seat: better than none.
    assert best_block(layout("x...x"), 2) in ([1, 2], [2, 3])


def test_avoiding_a_stranded_seat_may_move_back_a_row():
    assert best_block(layout("x...x", "xx..x"), 2) == [102, 103]


def test_category_filter():
    premium = layout("....", category="premium")
    standard = [
        LayoutSeat(s.id + 100, s.section, "B", s.x, 1, "standard", s.free)
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
