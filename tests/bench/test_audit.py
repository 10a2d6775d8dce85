"""The benchmark's client audit: every version seen, in whatever order."""

from __future__ import annotations

import pytest

from bench.audit import Track, audit, merged, versions_of
from wire import frames


def changed(version: int, first: int | None = None) -> str:
    frame = {
        "type": "seats.changed",
        "event": 3,
        "version": version,
        "reason": "held",
        "seats": [{"id": 1, "status": "available", "holder": None, "held_until": None}],
    }
    if first is not None:
        frame |= {"from_version": first, "reasons": ["held"]}
    return frames.dumps(frame)


def test_versions_are_read_from_plain_and_coalesced_frames():
    assert versions_of(changed(12)) == (12, 12)
    assert versions_of(changed(15, 9)) == (9, 15)
    # json.dumps's spaces, as the standard baseline sends them.
    spaced = '{"type": "seats.changed", "version": 8, "seats": [], "from_version": 6}'
    assert versions_of(spaced) == (6, 8)
    with pytest.raises(ValueError):
        versions_of('{"type":"seats.changed"}')


def test_a_socket_that_saw_every_version_is_in_step_whatever_the_order():
    track = Track(10)
    track.saw(*versions_of(changed(13, 12)))  # early: 11 is still on its way
    assert not track.caught_up(13) and track.missing(13) == 1
    track.saw(11, 11)
    track.saw(12, 12)  # already covered: stale
    assert track.caught_up(13) and track.missing(13) == 0
    assert (track.frames, track.stale, track.out_of_order) == (3, 1, 1)


def test_a_version_never_delivered_leaves_the_socket_out_of_step():
    complete, gap = Track(0), Track(0)
    for track in (complete, gap):
        track.saw(1, 2)
        track.saw(4, 5)
    complete.saw(3, 3)
    result = audit([complete, gap], 5, closed=1)
    assert (result["in_step"], result["out_of_step"]) == (1, 1)
    assert result["missing_versions"] == 1
    assert result["examples"] == [{"start": 0, "next": 3, "ahead": [(4, 5)]}]
    # A socket behind the event's version is out of step too.
    assert audit([complete], 6)["out_of_step"] == 1
    both = merged([result, audit([complete], 5)])
    assert (both["clients"], both["in_step"], both["closed"]) == (3, 2, 1)


def test_a_frame_overlapping_what_came_before_is_new_only_from_there():
    """What the arrivals count: a catch-up frame covering versions already
    sent counts only the versions the socket had not had."""
    track = Track(0)
    assert track.saw(1, 3) == 1
    assert track.saw(2, 5) == 4  # 2..3 came already
    assert track.saw(4, 5) is None  # all of it stale
    assert track.saw(8, 9) == 8  # early: new, though out of order
    assert track.saw(6, 7) == 6 and track.caught_up(9)
