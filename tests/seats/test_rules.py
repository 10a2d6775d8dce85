"""The seat rules on hand-made runs (no database)."""

from __future__ import annotations

from seats.rules import newly_stranded, newly_unpaired, runs, stranded


def test_runs_follow_run_positions_not_the_order_given():
    seats = [("A", 2, "a3"), ("A", 0, "a1"), ("B", 0, "b1"), ("A", 1, "a2")]
    assert runs(seats) == [["a1", "a2", "a3"], ["b1"]]


def test_a_gap_in_positions_and_a_seat_without_a_run_break_runs():
    seats = [("A", 0, 1), ("A", 1, 2), ("A", 3, 3), ("A", 4, 4), ("", 0, 5)]
    assert runs(seats) == [[1, 2], [3, 4], [5]]


def test_a_free_seat_between_two_taken_ones_is_stranded():
    assert stranded([1, 2, 3], taken={1, 3}) == [2]
    assert stranded([1, 2, 3, 4], taken={1, 4}) == []
    assert stranded([1, 2, 3, 4, 5], taken={1, 3, 5}) == [2, 4]


def test_edge_seats_are_never_stranded():
    # Seat 1 has only seat 2 beside it; seat 3 only seat 2.
    assert stranded([1, 2, 3], taken={2}) == []
    assert stranded([1], taken=set()) == []
    assert newly_stranded([[1, 2, 3]], taken_before=set(), taken_after={2}) == []


def test_taking_seats_either_side_strands_the_one_between():
    assert newly_stranded([[1, 2, 3, 4, 5]], taken_before={1}, taken_after={1, 3}) == [
        2
    ]


def test_taking_the_would_be_stranded_seat_too_is_fine():
    assert (
        newly_stranded([[1, 2, 3, 4, 5]], taken_before={1}, taken_after={1, 2, 3}) == []
    )


def test_a_curved_row_is_a_run_order_whatever_the_ids():
    # A curved row, listed in its run order: ids say nothing about position.
    curve = [40, 7, 93, 12, 5]
    assert newly_stranded([curve], taken_before={40}, taken_after={40, 93}) == [7]
    assert newly_stranded([curve], taken_before={40}, taken_after={40, 12}) == []


def test_an_aisle_splits_a_row_into_two_runs():
    # Row A: seats 1-3, aisle, 4-6. Seat 3 and 4 are not neighbours, so
    # taking 2 and 5 strands neither 3 nor 4 (each is at its run's end).
    left, right = [1, 2, 3], [4, 5, 6]
    assert newly_stranded([left, right], taken_before={3}, taken_after={3, 5}) == []
    # The same six seats as one run: 4 would be stranded between 3 and 5.
    assert newly_stranded([left + right], taken_before={3}, taken_after={3, 5}) == [4]


def test_a_seat_stranded_already_never_blocks_a_request():
    # Seat 2 is stranded by others: only what a request strands counts
    # (seat 4, when it takes 5), and taking 6 strands nothing.
    assert newly_stranded(
        [[1, 2, 3, 4, 5, 6]], taken_before={1, 3}, taken_after={1, 3, 5}
    ) == [4]
    assert (
        newly_stranded([[1, 2, 3, 4, 5, 6]], taken_before={1, 3}, taken_after={1, 3, 6})
        == []
    )


def test_releasing_a_seat_between_two_taken_ones_strands_it():
    row = [1, 2, 3, 4]
    assert newly_stranded([row], taken_before={1, 2, 3}, taken_after={1, 3}) == [2]
    # Releasing it with a neighbour leaves two free seats together.
    assert newly_stranded([row], taken_before={1, 2, 3}, taken_after={1}) == []
    # Releasing an edge seat never strands it.
    assert newly_stranded([row], taken_before={1, 2, 3}, taken_after={2, 3}) == []


def test_only_the_runs_given_are_judged():
    assert newly_stranded([], taken_before=set(), taken_after={1, 3}) == []


def test_a_companion_seat_alone_is_newly_unpaired():
    companion_of = {11: 10}  # seat 11 goes with wheelchair space 10
    assert newly_unpaired(companion_of, held_before=set(), held_after={11}) == [11]
    assert newly_unpaired(companion_of, held_before=set(), held_after={10, 11}) == []
    # The holder holds the space already.
    assert newly_unpaired(companion_of, held_before={10}, held_after={10, 11}) == []


def test_releasing_the_space_but_keeping_the_companion_unpairs_it():
    companion_of = {11: 10, 12: 10}
    held = {10, 11, 12}
    assert newly_unpaired(companion_of, held_before=held, held_after={11, 12}) == [
        11,
        12,
    ]
    assert newly_unpaired(companion_of, held_before=held, held_after=set()) == []
    # Releasing a companion alone is fine.
    assert newly_unpaired(companion_of, held_before=held, held_after={10, 12}) == []


def test_a_companion_unpaired_already_does_not_count_against_a_request():
    # The holder keeps companion 11 after booking space 10 (no longer held).
    companion_of = {11: 10, 21: 20}
    assert newly_unpaired(companion_of, held_before={11}, held_after={11, 20, 21}) == []
