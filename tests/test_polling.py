"""tests.polling: the one wait-until of the tests of real processes."""

from __future__ import annotations

import pytest

from tests.polling import poll_until


def test_the_first_true_answer_is_returned_as_it_comes():
    answers = iter([0, None, "", 7, 8])
    assert poll_until(lambda: next(answers), timeout=5, every=0, explain=str) == 7
    assert next(answers) == 8  # asked no more than needed


def test_a_wait_that_never_ends_says_why_and_only_then_reads_why():
    reads = []

    def why() -> str:
        reads.append(1)
        return "the log says no"

    with pytest.raises(AssertionError, match="the log says no"):
        poll_until(lambda: False, timeout=0.05, every=0.01, explain=why)
    assert reads == [1]


def test_a_condition_that_finds_the_wait_hopeless_ends_it_at_once():
    def gone() -> bool:
        raise AssertionError("the process exited")

    with pytest.raises(AssertionError, match="the process exited"):
        poll_until(gone, timeout=60, explain=str)
