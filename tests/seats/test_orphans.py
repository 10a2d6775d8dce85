"""Holds of connections whose serving process died are freed by the sweeper.

Every serving process beats (a row); a socket without a session holds as a
connection holder that names its process. When a process has been silent
for SEAT_PROCESS_DEAD_SECONDS, its connections' holds are released and
announced, and the process is forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seats import services
from seats.holders import PROCESS_KEY, connection_holder
from seats.models import Seat, ServingProcess
from tests.conftest import later

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_after(settings):
    settings.SEAT_PROCESS_DEAD_SECONDS = 30
    return timedelta(seconds=30)


def holds(event, holder, ids, at=0):
    services.hold_seats(event_id=event.id, holder=holder, seat_ids=ids, now=later(at))


def test_a_dead_processes_connection_holds_are_freed_and_announced(
    event, seat_ids, dead_after, announcements, django_capture_on_commit_callbacks
):
    ServingProcess.objects.create(key="deadbeef", started_at=later(0), beat_at=later(0))
    ServingProcess.objects.create(
        key="a11ve000", started_at=later(0), beat_at=later(40)
    )
    holds(event, "c_deadbeef_aaaaaaaaaaaa", seat_ids[:2])
    holds(event, "c_deadbeef_bbbbbbbbbbbb", seat_ids[2:3])
    holds(event, "c_a11ve000_cccccccccccc", seat_ids[3:4])
    holds(event, "h_sessionholder", seat_ids[4:5])
    services.book_seats(
        event_id=event.id,
        holder="c_deadbeef_bbbbbbbbbbbb",
        seat_ids=seat_ids[2:3],
        now=later(1),
    )
    announcements.clear()

    with django_capture_on_commit_callbacks(execute=True):
        freed = services.release_orphans(now=later(45))

    assert sorted(freed) == sorted(seat_ids[:2])
    assert [change.reason for change in announcements] == ["released"]
    left = dict(Seat.objects.filter(pk__in=seat_ids[:5]).values_list("pk", "holder"))
    assert left[seat_ids[0]] == left[seat_ids[1]] == ""
    assert left[seat_ids[3]] == "c_a11ve000_cccccccccccc"  # its process beats
    assert left[seat_ids[4]] == "h_sessionholder"  # sessions are not connections
    assert Seat.objects.get(pk=seat_ids[2]).booking_id is not None
    assert list(ServingProcess.objects.values_list("key", flat=True)) == ["a11ve000"]
    # Nothing more to do the next time.
    assert services.release_orphans(now=later(46)) == []


def test_a_process_within_its_grace_keeps_its_holds(event, seat_ids, dead_after):
    ServingProcess.objects.create(key="s10wbeat", started_at=later(0), beat_at=later(0))
    holds(event, "c_s10wbeat_aaaaaaaaaaaa", seat_ids[:1])
    assert services.release_orphans(now=later(29)) == []
    assert ServingProcess.objects.filter(key="s10wbeat").exists()


def test_this_process_beats_and_names_itself_in_its_connection_holders():
    services.beat(now=later(0))
    services.beat(now=later(5))
    process = ServingProcess.objects.get()
    assert (process.key, process.started_at, process.beat_at) == (
        PROCESS_KEY,
        later(0),
        later(5),
    )
    holder = connection_holder()
    assert holder.startswith(f"c_{PROCESS_KEY}_") and len(holder) <= 40
