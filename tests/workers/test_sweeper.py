"""The sweep: releases only what has expired, once, and tells each event once."""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone
from django_apscheduler.models import DjangoJobExecution

from seats import selectors, services
from seats.models import Activity, Event, Hold, Seat
from seats.services import ExpiredSeat
from tests.conftest import later
from workers.sweeper import SWEEP_JOB_ID, build_scheduler, start_in_background

ROUNDS = 10


def hold(event, holder, ids, at=0):
    return services.hold_seats(
        event_id=event.id, holder=holder, seat_ids=ids, now=later(at)
    )


def status(event, seat_id, at) -> tuple[str, str | None]:
    seat_map = selectors.seat_map(event_id=event.id, viewer=None, now=later(at))
    seat = next(s for s in seat_map.seats if s.id == seat_id)
    return seat.status.value, seat.holder


def ids_of(event) -> list[int]:
    return list(
        Seat.objects.filter(event=event).order_by("pk").values_list("id", flat=True)
    )


@pytest.mark.django_db
def test_sweep_releases_only_expired_holds(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    a, b, c, d, e = seat_ids[:5]
    hold(event, "alice", [a, b], at=0)  # expires at 300
    hold(event, "bob", [c], at=100)  # expires at 400
    hold(event, "carol", [d], at=0)
    services.book_seats(event_id=event.id, holder="carol", seat_ids=[d], now=later(10))
    hold(event, "dave", [e], at=0)
    services.extend_hold(event_id=event.id, holder="dave", now=later(200))  # to 500

    with django_capture_on_commit_callbacks(execute=True):
        released = services.release_expired(now=later(350))

    labels = dict(Seat.objects.filter(pk__in=[a, b]).values_list("id", "label"))
    assert released == [
        ExpiredSeat(a, labels[a], event.id, "Test Night", "alice"),
        ExpiredSeat(b, labels[b], event.id, "Test Night", "alice"),
    ]
    assert Seat.objects.filter(pk__in=[a, b], hold=None, holder="").count() == 2
    assert not Hold.objects.filter(holder="alice").exists()
    assert status(event, c, at=350) == ("held", "bob")
    assert status(event, d, at=350) == ("booked", None)
    assert status(event, e, at=350) == ("held", "dave")
    assert list(
        Activity.objects.filter(kind="expired").values_list("seat_id", "holder")
    ) == [(b, "alice"), (a, "alice")]  # newest first
    assert [(c.reason, c.holders) for c in announcements] == [("expired", ("alice",))]
    assert [(s.id, s.status, s.holder) for s in announcements[0].seats] == [
        (a, "available", None),
        (b, "available", None),
    ]


@pytest.mark.django_db
def test_sweep_at_exactly_the_expiry_releases_the_hold(event, seat_ids):
    hold(event, "alice", seat_ids[:1], at=0)
    assert services.release_expired(now=later(299.999)) == []
    assert [s.seat_id for s in services.release_expired(now=later(300))] == seat_ids[:1]


@pytest.mark.django_db
def test_sweeping_twice_releases_and_announces_nothing_the_second_time(
    event, seat_ids, announcements, django_capture_on_commit_callbacks
):
    hold(event, "alice", seat_ids[:3], at=0)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.release_expired(now=later(400))
    version = Event.objects.get(pk=event.id).version
    rows = Activity.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = services.release_expired(now=later(400))
        third = services.release_expired(now=later(5000))

    assert len(first) == 3
    assert second == third == []
    assert callbacks == []
    assert [c.reason for c in announcements] == ["expired"]
    assert Event.objects.get(pk=event.id).version == version
    assert Activity.objects.count() == rows
    assert Hold.objects.count() == 0


@pytest.mark.django_db
def test_one_announcement_per_event_per_sweep(
    make_event, hold_settings, announcements, django_capture_on_commit_callbacks
):
    # More seats than the sweep's chunk size, to cover its batching.
    big = make_event(rows=25, seats_per_row=24, name="Big Night")
    small = make_event(rows=2, seats_per_row=5, name="Small Night")
    big_ids, small_ids = ids_of(big), ids_of(small)
    with django_capture_on_commit_callbacks(execute=True):
        for start in range(0, len(big_ids), 10):
            hold(big, f"big-{start // 10:02d}", big_ids[start : start + 10], at=0)
        hold(small, "alice", small_ids[:4], at=0)
        hold(small, "bob", small_ids[4:6], at=0)
        hold(small, "carol", small_ids[6:7], at=200)  # still running at 350
    before = {e.id: e.version for e in Event.objects.all()}
    announcements.clear()

    with django_capture_on_commit_callbacks(execute=True):
        released = services.release_expired(now=later(350))

    assert len(released) == len(big_ids) + 6
    assert Counter(r.event_name for r in released) == {
        "Big Night": len(big_ids),
        "Small Night": 6,
    }
    assert sorted(c.event_id for c in announcements) == sorted([big.id, small.id])
    by_event = {c.event_id: c for c in announcements}
    assert all(c.reason == "expired" for c in announcements)
    assert [s.id for s in by_event[big.id].seats] == big_ids
    assert [s.id for s in by_event[small.id].seats] == small_ids[:6]
    assert by_event[small.id].holders == ("alice", "bob")
    assert by_event[big.id].holders == tuple(f"big-{n:02d}" for n in range(60))
    for event_id, change in by_event.items():
        assert change.version == before[event_id] + 1
        assert Event.objects.get(pk=event_id).version == change.version
        assert {s.status for s in change.seats} == {"available"}
    assert status(small, small_ids[6], at=350) == ("held", "carol")
    assert Seat.objects.filter(hold__isnull=False).count() == 1


def sweep_in_threads(count: int, at: float) -> list[list[ExpiredSeat]]:
    """`count` sweeps at the same moment from as many threads, released together."""
    barrier = threading.Barrier(count)
    results: list[list[ExpiredSeat]] = []
    failures: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(services.release_expired(now=later(at)))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(results) == count
    return results


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_release_and_announce_each_seat_once(
    make_event, hold_settings, announcements
):
    events = [make_event(name="First", rows=4), make_event(name="Second", rows=4)]
    all_ids = sorted(ids_of(events[0]) + ids_of(events[1]))
    for round_ in range(ROUNDS):
        # Every round holds every seat again, after the last round's holds lapsed.
        at = round_ * 1000
        for event in events:
            ids = ids_of(event)
            for start in range(0, len(ids), 10):
                hold(
                    event, f"r{round_}-{event.id}-{start}", ids[start : start + 10], at
                )
        announcements.clear()

        results = sweep_in_threads(2, at=at + 400)

        released = [r.seat_id for result in results for r in result]
        assert sorted(released) == all_ids
        announced = [s.id for c in announcements for s in c.seats]
        assert sorted(announced) == all_ids
        # Each sweep announces an event at most once. On SQLite one sweep gets
        # everything; on PostgreSQL the two may split an event's seats (SKIP
        # LOCKED), and then its versions must still follow one another.
        per_event = Counter(c.event_id for c in announcements)
        assert set(per_event) == {e.id for e in events}
        assert all(n <= 2 for n in per_event.values())
        expired = Activity.objects.filter(kind="expired", at=later(at + 400))
        assert sorted(expired.values_list("seat_id", flat=True)) == all_ids
        for event in events:
            versions = sorted(
                c.version for c in announcements if c.event_id == event.id
            )
            current = Event.objects.get(pk=event.id).version
            assert versions == list(range(current - len(versions) + 1, current + 1))
    assert Seat.objects.filter(hold__isnull=False).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_frees_an_expired_hold_by_itself(
    event, seat_ids, settings, announcements
):
    """Real clock, real scheduler: the one test here that waits for time."""
    settings.SEAT_SWEEP_SECONDS = 0.2
    settings.SEAT_SWEEP_RUN_SECONDS = 0.4  # runs end, and are recorded, soon
    a, b = seat_ids[:2]
    past = timezone.now() - timedelta(seconds=settings.SEAT_HOLD_SECONDS + 1)
    services.hold_seats(event_id=event.id, holder="alice", seat_ids=[a], now=past)
    services.hold_seats(event_id=event.id, holder="bob", seat_ids=[b])
    announcements.clear()

    scheduler = build_scheduler(blocking=False)
    try:
        scheduler.start()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            freed = Seat.objects.filter(pk=a, hold=None).exists()
            recorded = DjangoJobExecution.objects.filter(
                job_id=SWEEP_JOB_ID, status=DjangoJobExecution.SUCCESS
            ).exists()
            if freed and recorded:
                break
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
        # The scheduler's threads are gone, but their database connections sit
        # in reference cycles: close them now, not after the test DB is deleted.
        gc.collect()

    assert Seat.objects.get(pk=a).holder == ""
    assert Seat.objects.get(pk=b).holder == "bob"
    assert DjangoJobExecution.objects.filter(
        job_id=SWEEP_JOB_ID, status=DjangoJobExecution.SUCCESS
    ).exists()
    assert [(c.reason, c.holders) for c in announcements] == [("expired", ("alice",))]


def _checked_out(pool) -> int:
    """Connections of the pool that some thread has (or that are on their
    way to one)."""
    stats = pool.get_stats()
    return stats["pool_size"] - stats["pool_available"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_scheduler_keeps_no_pooled_connection_once_stopped(settings):
    settings.SEAT_SWEEP_SECONDS = 0.2
    settings.SEAT_SWEEP_RUN_SECONDS = 0.2
    connection.close()  # this thread's own, back to the pool
    pool = connection.pool
    assert pool is not None, "PostgreSQL runs with a connection pool"
    before = _checked_out(pool)
    scheduler = start_in_background()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            executions = DjangoJobExecution.objects.filter(
                job_id=SWEEP_JOB_ID, status=DjangoJobExecution.SUCCESS
            ).count()
            connection.close()
            if executions >= 2:
                break
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    assert executions >= 2
    # Nothing the scheduler's threads (or the thread that started it) used
    # is still out of the pool. Their leftovers are not collected first:
    # that would hide one kept.
    assert _checked_out(pool) == before, pool.get_stats()


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_aims_at_expiries_between_its_runs(event, seat_ids, settings):
    """With sweeps 3 s apart, a hold ending 1 s in is still freed right on time."""
    settings.SEAT_SWEEP_SECONDS = 3
    settings.SEAT_HOLD_SECONDS = 1
    scheduler = build_scheduler(blocking=False)
    try:
        scheduler.start()
        time.sleep(0.3)  # the first run is under way and waiting for work
        hold = services.hold_seats(
            event_id=event.id, holder="alice", seat_ids=seat_ids[:1]
        )
        deadline = time.monotonic() + 5
        while Seat.objects.filter(pk=seat_ids[0], hold__isnull=False).exists():
            assert time.monotonic() < deadline, "never swept"
            time.sleep(0.02)
    finally:
        scheduler.shutdown(wait=True)
        gc.collect()
    swept_at = Activity.objects.get(seat_id=seat_ids[0], kind="expired").at
    lag = (swept_at - hold.held_until).total_seconds()
    # A plain interval would leave it up to the 3 s sweep interval; aimed, the
    # lag is a small fraction of it.
    assert 0 <= lag < settings.SEAT_SWEEP_SECONDS / 4, lag


@pytest.mark.django_db(transaction=True)
def test_one_run_sweeps_all_along_and_ends_when_its_scheduler_stops(
    event, seat_ids, settings
):
    """A run lasts SEAT_SWEEP_RUN_SECONDS and looks every SEAT_SWEEP_SECONDS
    meanwhile: the scheduler's bookkeeping is once a run, not once a sweep.
    Shut down, the scheduler's run ends at once, not at its minute's end."""
    settings.SEAT_SWEEP_SECONDS = 0.2
    settings.SEAT_SWEEP_RUN_SECONDS = 60
    scheduler = build_scheduler(blocking=False)
    stopper = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True})
    try:
        scheduler.start()
        time.sleep(0.3)  # the run is under way
        # Already past its time: no expiry to aim at, only the sweep finds it.
        past = timezone.now() - timedelta(seconds=settings.SEAT_HOLD_SECONDS + 1)
        services.hold_seats(
            event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=past
        )
        deadline = time.monotonic() + 5
        while Seat.objects.filter(pk=seat_ids[0], hold__isnull=False).exists():
            assert time.monotonic() < deadline, "never swept"
            time.sleep(0.02)
        started = DjangoJobExecution.objects.filter(job_id=SWEEP_JOB_ID)
        assert started.count() == 1  # one run, several sweeps
    finally:
        stopper.start()
        stopper.join(timeout=10)
        gc.collect()
    assert not stopper.is_alive(), "the run went on after its scheduler stopped"
    run = DjangoJobExecution.objects.get(job_id=SWEEP_JOB_ID)
    assert run.status == DjangoJobExecution.SUCCESS


@pytest.mark.django_db(transaction=True)
def test_a_run_ends_with_its_own_scheduler_though_a_new_one_leads(
    settings, monkeypatch
):
    """A sweeper that lost its lock and won it back runs a new scheduler:
    the old one's run still ends when the old one stops (two runs would
    admit from the waiting rooms twice over)."""
    from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED

    from workers import sweeper

    class Scheduler:
        """The two things a run asks of its scheduler."""

        def __init__(self):
            self.state = STATE_RUNNING
            self._jobstores_lock = threading.RLock()

        def get_job(self, job_id):
            return SimpleNamespace(
                next_run_time=datetime.now(UTC) + timedelta(minutes=1)
            )

    settings.SEAT_SWEEP_RUN_SECONDS = 60
    old, new = Scheduler(), Scheduler()
    monkeypatch.setattr(sweeper, "_scheduler", old)
    run = threading.Thread(target=sweeper.sweep_and_admit)
    run.start()
    try:
        time.sleep(0.3)  # under way
        monkeypatch.setattr(sweeper, "_scheduler", new)
        old.state = STATE_STOPPED
        run.join(timeout=10)
        assert not run.is_alive(), "the run went on after its own scheduler stopped"
    finally:
        new.state = STATE_STOPPED
        run.join()


@pytest.mark.django_db(transaction=True)
def test_a_run_hands_over_only_when_the_next_run_is_coming(settings, monkeypatch):
    """A pass that outlasts the run's handover makes the scheduler skip the
    next run (one instance at a time), and a busy scheduler cannot say when
    the next is: either way the run sweeps on instead of leaving the rest
    of a minute unswept. It ends at its handover when the next run is
    still to come."""
    from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED

    from workers import sweeper

    class Scheduler:
        def __init__(self, *ahead):
            self.state = STATE_RUNNING
            self._jobstores_lock = threading.RLock()
            # The next run's time as asked in turn (the last one stays).
            now = datetime.now(UTC)
            self.next_runs = [now + timedelta(seconds=a) for a in ahead]

        def get_job(self, job_id):
            runs = self.next_runs
            return SimpleNamespace(
                next_run_time=runs.pop(0) if len(runs) > 1 else runs[0]
            )

    def still_running_after(seconds: float, scheduler: Scheduler) -> bool:
        """Whether a run under `scheduler` is still going `seconds` in; it
        is stopped either way before this returns."""
        monkeypatch.setattr(sweeper, "_scheduler", scheduler)
        run = threading.Thread(target=sweeper.sweep_and_admit)
        run.start()
        try:
            run.join(timeout=seconds)
            return run.is_alive()
        finally:
            scheduler.state = STATE_STOPPED
            run.join()

    settings.SEAT_SWEEP_SECONDS = 0.2
    # Asked at the start: 0.3 s to the handover. Asked past it: the next
    # run was skipped, the one after is a minute away.
    assert still_running_after(1.5, Scheduler(0.3, 60)), "ended, nothing else sweeps"
    # The scheduler busy as the run starts (its lock held: a slow write of
    # the job's row): the run sweeps on for its minute, not half a second.
    busy = Scheduler(60)
    with busy._jobstores_lock:
        assert still_running_after(2, busy), "ended as the scheduler could not say"
    # The next run still to come: this one ends at its handover.
    assert not still_running_after(10, Scheduler(0.3)), "went on past its handover"


@pytest.mark.django_db(transaction=True)
def test_a_failed_pass_is_tried_again_within_the_run(
    event, seat_ids, settings, monkeypatch, caplog
):
    """A database error in a pass is logged, and the same run sweeps again
    after a pause instead of ending (the next run is a minute away)."""
    from django.db import OperationalError

    from workers import sweeper

    monkeypatch.setattr(sweeper, "_scheduler", None)  # a run of 1.5 s
    settings.SEAT_SWEEP_SECONDS = 3
    past = timezone.now() - timedelta(seconds=settings.SEAT_HOLD_SECONDS + 1)
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:2], now=past
    )
    real, calls = services.release_expired, []

    def once_failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "release_expired", once_failing)
    assert sweeper.sweep_and_admit() == 2
    assert len(calls) == 2
    assert not Seat.objects.filter(pk__in=seat_ids[:2], hold__isnull=False).exists()
    failures = [r for r in caplog.records if r.getMessage().startswith("sweep failed")]
    assert len(failures) == 1 and failures[0].exc_info is not None


@pytest.mark.django_db(transaction=True)
def test_a_run_sweeps_only_when_a_look_finds_work(
    event, seat_ids, settings, monkeypatch
):
    """Idle passes look (one read) and do not sweep (a write transaction);
    a hold that lapsed without an expiry to aim at (made in the past) is
    released at the next look."""
    from workers import sweeper

    settings.SEAT_SWEEP_SECONDS = 0.05
    real, sweeps = services.release_expired, []

    def counted(**kwargs):
        sweeps.append(time.monotonic())
        return real(**kwargs)

    monkeypatch.setattr(services, "release_expired", counted)
    monkeypatch.setattr(sweeper, "_scheduler", None)
    monkeypatch.setattr(sweeper, "_first_handover", lambda s: time.monotonic() + 0.6)
    assert sweeper.sweep_and_admit() == 0
    # The first pass has not looked yet, so it sweeps; a dozen idle looks
    # after it do not.
    assert len(sweeps) == 1

    past = timezone.now() - timedelta(seconds=settings.SEAT_HOLD_SECONDS + 1)
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=past
    )
    sweeps.clear()
    assert sweeper.sweep_and_admit() == 1
    assert len(sweeps) == 1  # the first pass found it; no sweep after


@pytest.mark.django_db
def test_the_admitter_wakes_for_an_opening(event, settings, monkeypatch):
    """A room at 6 a minute opening during a sweep run admits its first at
    the opening itself, not 10 s (one rate interval) or a tick later."""
    from seats.waiting import services as waiting
    from seats.waiting.models import Place
    from workers.sweeper import sweep_and_admit

    # Without a scheduler a run lasts half an interval: 1.5 s. (Not the
    # stopped one an earlier test built: it would end the run at once.)
    monkeypatch.setattr("workers.sweeper._scheduler", None)
    settings.SEAT_SWEEP_SECONDS = 3
    room = waiting.configure(
        event_id=event.id,
        enabled=True,
        opens_at=timezone.now() + timedelta(hours=1),
        rate_per_minute=6,
    )
    for holder in ("alice", "bob"):
        waiting.join(event_id=event.id, holder=holder)
    # The opening set last, just before the run: on a busy machine the setup
    # above may take longer than the run's whole 1.5 s.
    opens_at = timezone.now() + timedelta(seconds=1.1)
    room = waiting.configure(
        event_id=event.id, enabled=True, opens_at=opens_at, rate_per_minute=6
    )
    # The run itself, on this thread and its test transaction (unwrapped:
    # the job's wrapper closes old connections, the test's among them).
    sweep_and_admit.__wrapped__()
    admitted = Place.objects.filter(room=room, state="admitted")
    first = admitted.get()
    lag = (first.admitted_at - opens_at).total_seconds()
    assert 0 <= lag < 0.4, lag
    ranks = Place.objects.filter(room=room).values_list("rank", flat=True)
    assert first.rank == min(ranks)


def test_a_run_starting_while_the_scheduler_shuts_down_does_not_wait_for_it(
    monkeypatch,
):
    """shutdown(wait=True) holds the job-store lock while it waits for runs
    to end; a run starting then must not wait for that lock."""
    from workers import sweeper

    class Scheduler:
        _jobstores_lock = threading.RLock()

        def get_job(self, job_id):
            raise AssertionError("asked without the lock")

    scheduler = Scheduler()
    monkeypatch.setattr(sweeper, "_scheduler", scheduler)
    held, release = threading.Event(), threading.Event()

    def shutting_down():
        with scheduler._jobstores_lock:
            held.set()
            release.wait(5)

    other = threading.Thread(target=shutting_down)
    other.start()
    try:
        held.wait(5)
        assert sweeper._next_run_of_sweep(scheduler) is None
        assert sweeper._handover_at(scheduler) is None
        assert other.is_alive()  # answered while the lock was still held
    finally:
        release.set()
        other.join()
