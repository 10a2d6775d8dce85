"""seats.activity_log: the recent changes a staff dashboard opens with."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seats import activity_log, services
from tests.conftest import T0, later

pytestmark = pytest.mark.django_db


def test_changes_of_the_window_oldest_first_one_per_version(event, seat_ids):
    services.hold_seats(
        event_id=event.id, holder="h_old", seat_ids=seat_ids[:1], now=T0
    )
    services.release_seats(
        event_id=event.id, holder="h_old", seat_ids=seat_ids[:1], now=later(1)
    )
    services.hold_seats(
        event_id=event.id, holder="h_a", seat_ids=seat_ids[1:3], now=later(3000)
    )
    services.hold_seats(
        event_id=event.id, holder="h_b", seat_ids=seat_ids[3:4], now=later(3000)
    )
    # Both holds lapse in one change: two holders, three seats, one version.
    services.release_expired(now=later(3900))

    changes = activity_log.recent_changes(now=later(3900))

    assert [c.reason for c in changes] == ["held", "held", "expired"]
    assert [c.version for c in changes] == sorted(c.version for c in changes)
    first, _, lapsed = changes
    assert first.holders == ("h_a",)
    assert [s.label for s in first.seats] == ["A2", "A3"]
    assert lapsed.holders == ("h_a", "h_b")
    assert [s.id for s in lapsed.seats] == sorted(seat_ids[1:4])
    assert lapsed.at == later(3900)
    # h_old's hold and release are older than an hour.
    assert all("h_old" not in c.holders for c in changes)


def test_at_most_the_limit_newest_changes(event, seat_ids):
    for n, seat in enumerate(seat_ids[:5]):
        services.hold_seats(
            event_id=event.id, holder=f"h_{n}", seat_ids=[seat], now=later(n)
        )

    changes = activity_log.recent_changes(now=later(10), limit=3)

    assert [c.holders for c in changes] == [("h_2",), ("h_3",), ("h_4",)]


def test_nothing_after_now_and_nothing_in_an_empty_window(event, seat_ids):
    services.hold_seats(event_id=event.id, holder="h_x", seat_ids=seat_ids[:1], now=T0)

    assert activity_log.recent_changes(now=T0 - timedelta(seconds=1)) == []
    assert activity_log.recent_changes(now=T0 + activity_log.HISTORY_WINDOW) == []
    assert len(activity_log.recent_changes(now=T0)) == 1
