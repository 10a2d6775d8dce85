"""The sweeper's job and the django-apscheduler scheduler that runs it.

The job releases expired holds (`sweep_and_admit`), and on the same thread
and connection ticks the waiting rooms about once a second and frees the
holds of connections whose serving process died. The sweep only
tidies up and tells the browsers: correctness never waits for it, because
every check treats a hold past its time as free. Nothing here starts on
import or from AppConfig.ready(): a scheduler exists only where
workers.running builds one.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from django import db
from django.conf import settings
from django.utils import timezone
from django_apscheduler.jobstores import DjangoJobStore
from django_apscheduler.models import DjangoJobExecution
from django_apscheduler.util import close_old_connections

import metrics
from seats import housekeeping, selectors, services
from seats.waiting import services as waiting

logger = logging.getLogger(__name__)

SWEEP_JOB_ID = "seats.release_expired_locks"
CLEANUP_JOB_ID = "seats.delete_old_job_executions"
# How often waiting rooms admit the next in line (the rate is per minute;
# a tick admits what the rate has earned since the last one).
ADMIT_SECONDS = 1.0


# A sweep aimed at an expiry runs this long after it, so `held_until <= now`.
_AIM_AFTER_SECONDS = 0.005
# How often a run looks again for the next expiry (new holds appear
# meanwhile) and whether its scheduler has stopped.
_RECHECK_SECONDS = 0.5
# A run ends this long before the next one is due, so that one is never
# skipped as "already running".
_HANDOVER_SECONDS = 0.05
# After a failed pass (the database away), a run pauses this long before the
# next, doubling up to the last.
_RETRY_SECONDS = (0.5, 5.0)

# The scheduler running the sweep in this process, if any (see build_scheduler).
_scheduler: BaseScheduler | None = None


@close_old_connections
def sweep_and_admit() -> int:
    """One run of the sweep job; returns how many seats it released.

    A run lasts until just before the next is due (SEAT_SWEEP_RUN_SECONDS;
    until the one after if a long pass made the scheduler skip the next) or
    until its scheduler stops. Meanwhile it looks every SEAT_SWEEP_SECONDS
    (half a second at most) and releases what has lapsed, and sweeps at
    each expiry as it comes (so browsers see a seat freed within
    milliseconds of its time), admits from waiting rooms
    as their ticks come due and at their openings, and frees dead
    processes' holds. Long runs keep the scheduler's bookkeeping (the job's
    row, an execution record, a fresh connection) to once a run instead of
    once a sweep: most of an idle server's CPU before. A failed pass (the
    database away) is logged and the run goes on after a pause, so a run
    never ends on an error and never overlaps the next.
    """
    # This run's own scheduler: a sweeper that lost its lock and won it
    # back has a new one, and this run must still end with the old.
    scheduler = _scheduler
    ends = _first_handover(scheduler)
    released = 0
    due = None  # not looked yet: the first pass sweeps
    pause = _RETRY_SECONDS[0]
    while True:
        # Checked before a pass, not after: a pass begun in the handover's
        # margin could outlast it.
        if time.monotonic() >= ends:
            later = _carry_on_until(scheduler)
            if later is None:
                return released
            ends = later
        try:
            opened = due is not None and _passed(due.opening)
            # A sweep only when the last look found work or an expiry it
            # aimed at has come: an idle pass is one plain statement, not a
            # write transaction (on SQLite, the database's write lock).
            swept = due is None or due.lapsed or _passed(due.expiry)
            if swept:
                released += _sweep_once()
            _admit_when_due(opened=opened)
            _free_orphans_when_due()
            due = selectors.next_due(timezone.now())
            if not due.lapsed:
                # Nothing left to release as of this look: as good as a sweep.
                metrics.LAST_SWEEP.set_to_current_time()
            pause = _RETRY_SECONDS[0]
            # Work the look found goes at once, unless this pass's sweep
            # left it (a seat a request has locked): then after a pause.
            wait = 0.0 if due.lapsed and not swept else settings.SEAT_SWEEP_SECONDS
            wait = min(wait, _RECHECK_SECONDS)
            for moment in (due.expiry, due.opening):
                if moment is not None:
                    wait = min(wait, _seconds_until(moment))
        except Exception:
            logger.exception("sweep failed; trying again in %gs", pause)
            db.close_old_connections()  # a broken connection is replaced
            due, wait = None, pause
            pause = min(pause * 2, _RETRY_SECONDS[1])
        if _sleep_until(min(time.monotonic() + wait, ends), scheduler):
            return released


def _passed(moment: datetime | None) -> bool:
    return moment is not None and timezone.now() >= moment


def _sleep_until(wake: float, scheduler: BaseScheduler | None) -> bool:
    """Sleep until `wake` (time.monotonic()), looking every _RECHECK_SECONDS
    whether the run's scheduler has stopped; True if it has."""
    # A scheduler not built here (none, or a stand-in) has no event: never set.
    stopping = getattr(scheduler, "stopping", None) or threading.Event()
    while not _stopped(scheduler):
        left = wake - time.monotonic()
        if left <= 0:
            return False
        stopping.wait(min(left, _RECHECK_SECONDS))
    return True


def _stopped(scheduler: BaseScheduler | None) -> bool:
    """Whether the run's scheduler has been shut down (a stopping process,
    a sweeper that lost its lock): the run ends within _RECHECK_SECONDS
    instead of sweeping on unled."""
    if scheduler is None:
        return False
    stopping = getattr(scheduler, "stopping", None)
    return scheduler.state == STATE_STOPPED or bool(stopping and stopping.is_set())


_last_admission = -float("inf")


def _admit_when_due(*, opened: bool = False) -> None:
    """A waiting-room tick (seats.waiting) about every ADMIT_SECONDS, and at
    once when a room's opening has just come (`opened`): the first in line
    is admitted at the opening itself.

    Part of the sweep job, not a job of its own: it runs where the sweep
    runs (one admitter per cluster, the sweeper's leader) on the sweep's
    thread and database connection, so it needs no connection more from
    a small pool. A failing tick never stops the sweep.
    """
    global _last_admission
    if not opened and time.monotonic() - _last_admission < ADMIT_SECONDS:
        return
    _last_admission = time.monotonic()
    try:
        waiting.admit_due()
    except Exception:
        logger.exception("waiting-room admission failed; retrying next tick")


_last_orphan_check = -float("inf")


def _free_orphans_when_due() -> None:
    """Free the holds of connections whose process stopped beating
    (seats.services.orphans), once per SEAT_PROCESS_BEAT_SECONDS at most.
    A failure never stops the sweep."""
    global _last_orphan_check
    if time.monotonic() - _last_orphan_check < settings.SEAT_PROCESS_BEAT_SECONDS:
        return
    _last_orphan_check = time.monotonic()
    try:
        services.release_orphans()
    except Exception:
        logger.exception("freeing dead processes' holds failed; retrying later")


def _first_handover(scheduler: BaseScheduler | None) -> float:
    """time.monotonic() at which a run starting now hands over to the next.

    A run by hand (no scheduler) lasts half a sweep interval. A scheduler
    that cannot say now (its lock busy, its job store's database away) is
    taken to run the next a whole run from now, and asked again then: a
    short run would leave the rest of the minute unswept."""
    if scheduler is None:
        return time.monotonic() + settings.SEAT_SWEEP_SECONDS / 2
    later = _handover_at(scheduler)
    if later is None:
        return time.monotonic() + run_seconds() - _HANDOVER_SECONDS
    return later


def _carry_on_until(scheduler: BaseScheduler | None) -> float | None:
    """At the handover: None if the run ends now (the next run is about to
    start; a run by hand), else when to look again.

    A long pass can outlast the handover, and the scheduler then skips the
    next run as "already running": this run carries on until the one after.
    A scheduler that cannot say is asked again shortly, the run sweeping
    meanwhile."""
    if scheduler is None:
        return None
    later = _handover_at(scheduler)
    if later is None:
        return time.monotonic() + _RECHECK_SECONDS
    return later if later > time.monotonic() else None


def _handover_at(scheduler: BaseScheduler) -> float | None:
    """time.monotonic() at which the run hands over to the next one, or
    None when the scheduler cannot say now."""
    try:
        job = _next_run_of_sweep(scheduler)
    except Exception:  # the job store's database: the run goes on
        logger.warning("the sweep's next run time is unknown", exc_info=True)
        return None
    if job is None or job.next_run_time is None:
        return None
    # While a run is going, next_run_time already names the following run.
    left = (job.next_run_time - datetime.now(UTC)).total_seconds()
    return time.monotonic() + max(0.0, min(left - _HANDOVER_SECONDS, run_seconds()))


def run_seconds() -> float:
    """How long one run of the sweep job lasts: SEAT_SWEEP_RUN_SECONDS, and
    never less than one sweep interval."""
    return max(settings.SEAT_SWEEP_RUN_SECONDS, settings.SEAT_SWEEP_SECONDS)


def _next_run_of_sweep(scheduler: BaseScheduler):
    """The sweep job as the scheduler has it, or None if it cannot say now.

    A scheduler shutting down holds its job-store lock while it waits for
    running jobs to end: a run that asked it then would wait for the very
    shutdown that waits for the run. So the lock is only tried, briefly.
    """
    lock = getattr(scheduler, "_jobstores_lock", None)
    if lock is None or not lock.acquire(timeout=0.2):
        return None
    try:
        return scheduler.get_job(SWEEP_JOB_ID)  # the lock is re-entrant
    finally:
        lock.release()


def _seconds_until(moment) -> float:
    return (moment - timezone.now()).total_seconds() + _AIM_AFTER_SECONDS


def _sweep_once() -> int:
    with metrics.SWEEP_DURATION.time():
        released = services.release_expired()
    metrics.SWEPT_SEATS.inc(len(released))
    metrics.LAST_SWEEP.set_to_current_time()
    if released:
        logger.info("sweep released %d seat(s)", len(released))
    return len(released)


@close_old_connections
def delete_old_job_executions() -> None:
    """The clean-up job (every ten minutes)."""
    clean_up(timezone.now())


def clean_up(now: datetime) -> dict[str, int]:
    """Keep the job-execution history from growing without end, and run the
    other apps' clean-ups (seats.housekeeping: presale code attempts,
    idempotency keys); rows deleted by clean-up."""
    DjangoJobExecution.objects.delete_old_job_executions(
        settings.SEAT_SWEEP_HISTORY_SECONDS
    )
    deleted = housekeeping.run_all(now)
    if any(deleted.values()):
        logger.info("clean-up deleted %s", deleted)
    return deleted


class _GivesBackItsConnection(BaseScheduler):
    """A scheduler whose own thread gives its database connection back after
    each pass (the job store's reads, the submissions it records): kept
    between passes, a pooled connection stays checked out for good, and
    outlives the scheduler when it stops.

    `stopping` is set as its shutdown begins: a sweep run waiting between
    passes wakes at once and ends, and the process it runs in exits without
    waiting for it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stopping = threading.Event()

    def shutdown(self, wait=True):
        self.stopping.set()
        return super().shutdown(wait)

    def _process_jobs(self):
        try:
            return super()._process_jobs()
        finally:
            db.close_old_connections()


class _Background(_GivesBackItsConnection, BackgroundScheduler):
    pass


class _Blocking(_GivesBackItsConnection, BlockingScheduler):
    pass


class JobStore(DjangoJobStore):
    """django-apscheduler's store, whose record of a job's outcome gives its
    connection back. The record is written from the executor's thread after
    the job (whose own connection `close_old_connections` handles) and
    would keep that thread's connection checked out of the pool."""

    @classmethod
    def handle_execution_event(cls, event):
        try:
            return super().handle_execution_event(event)
        finally:
            db.close_old_connections()

    @classmethod
    def handle_error_event(cls, event):
        try:
            return super().handle_error_event(event)
        finally:
            db.close_old_connections()


def start_in_background() -> BaseScheduler:
    """A background scheduler, started. Starting writes its jobs to the job
    store from the calling thread, whose connection then goes back to the
    pool (the caller may wait for hours: a serving process, `run_sweeper`)."""
    scheduler = build_scheduler(blocking=False)
    scheduler.start()
    db.close_old_connections()
    return scheduler


def build_scheduler(*, blocking: bool) -> BaseScheduler:
    """A scheduler with the sweep and its history clean-up registered.

    `max_instances=1` keeps a slow sweep from overlapping the next one, and
    `coalesce` folds missed runs into one instead of a burst.
    """
    global _scheduler
    scheduler_class = _Blocking if blocking else _Background
    scheduler = scheduler_class(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
    scheduler.add_jobstore(JobStore(), "default")
    scheduler.add_job(
        sweep_and_admit,
        trigger=IntervalTrigger(seconds=run_seconds()),
        id=SWEEP_JOB_ID,
        name="Release expired holds, admit from waiting rooms",
        replace_existing=True,
        next_run_time=datetime.now(UTC),  # sweep at start, not one interval later
    )
    scheduler.add_job(
        delete_old_job_executions,
        trigger=IntervalTrigger(minutes=10),
        id=CLEANUP_JOB_ID,
        name="Delete old job executions, code attempts and idempotency keys",
        replace_existing=True,
    )
    _scheduler = scheduler
    return scheduler
