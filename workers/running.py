"""Where every background worker starts, in the serving process or on its own.

* `start_in_process`: the sweeper (with the admission ticks) and the webhook
  sender as threads of `serve` (the embedded default), and the process's
  beat; the caller stops them when it stops serving.
* `run_sweeper`: a sweeper process that leads or stands by (one leader per
  database, an advisory lock), until stopped. A transient database failure
  never ends it: while it leads it checks its lock every
  LEADERSHIP_CHECK_SECONDS, and if the lock's connection dies (a restart,
  pg_terminate_backend, a network blip) it stops sweeping and stands by
  again, so another sweeper can take over and neither ever leads twice.
* `run_deliveries`: a webhook sender process, until stopped (several may
  run: each endpoint has one sender at a time through its lease).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.base import BaseScheduler
from django.conf import settings

import metrics
from webhooks.delivery import DeliveryWorker
from workers.beat import Beat
from workers.leadership import Leadership
from workers.sweeper import start_in_background

logger = logging.getLogger(__name__)

# How long shutdown waits for webhook attempts under way.
DELIVERIES_STOP_SECONDS = 2.0
# How often the leader checks that it still holds its lock.
LEADERSHIP_CHECK_SECONDS = 5.0
# How often a standby tries for the lock.
STANDBY_POLL_SECONDS = 2.0
# Backoff after a database error: doubling from the first, up to the last.
RETRY_SECONDS = (0.5, 10.0)

Say = Callable[[str], None]


@dataclass
class InProcess:
    """The workers running as threads of this process."""

    scheduler: BaseScheduler | None = None
    deliveries: DeliveryWorker | None = None
    beat: Beat | None = None

    def stop(self) -> None:
        if self.beat is not None:
            self.beat.stop()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            metrics.SWEEPER_LEADING.set(0)
        if self.deliveries is not None:
            # Bounded: an attempt cut short is sent again later (at least once).
            self.deliveries.stop(timeout=DELIVERIES_STOP_SECONDS)


def start_in_process(*, sweeper: bool, deliveries: bool) -> InProcess:
    """Start the chosen workers as threads of this (serving) process, and
    always its beat (the sockets' holds are freed if it stops)."""
    running = InProcess(beat=Beat().start())
    if sweeper:
        running.scheduler = start_in_background()
        # The embedded sweeper leads for as long as its process lives (the
        # gauge is summed over live processes only).
        metrics.SWEEPER_LEADING.set(1)
    if deliveries:
        running.deliveries = DeliveryWorker().start()
    return running


def run_sweeper(stopping: threading.Event, say: Say, complain: Say) -> None:
    """Lead (sweep) or stand by until `stopping` is set; never ends on an error."""
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    delay = RETRY_SECONDS[0]
    while not stopping.is_set():
        leadership = Leadership()
        try:
            if _lead(leadership, stopping, engine, say, complain):
                delay = RETRY_SECONDS[0]
                continue
        except Exception as error:  # a database blip: stand by and retry
            complain(f"Sweeper database error ({error}); retrying.")
            logger.warning("sweeper database error", exc_info=True)
            stopping.wait(delay)
            delay = min(delay * 2, RETRY_SECONDS[1])
        finally:
            leadership.release()


def _lead(
    leadership: Leadership,
    stopping: threading.Event,
    engine: str,
    say: Say,
    complain: Say,
) -> bool:
    """Wait for the lock, sweep while it holds; True if it led at all."""
    if not leadership.acquire(
        wait=lambda: say("Another sweeper is active; standing by until it stops."),
        poll=STANDBY_POLL_SECONDS,
        stop=stopping,
    ):
        return False
    scheduler = start_in_background()
    say(
        f"Sweeper running every {settings.SEAT_SWEEP_SECONDS:g}s "
        f"(database: {engine}). Ctrl-C stops it."
    )
    metrics.SWEEPER_LEADING.set(1)
    try:
        while not stopping.wait(LEADERSHIP_CHECK_SECONDS):
            if not leadership.still_leading():
                complain("Lost the sweeper lock; standing by again.")
                break
    finally:
        # Not wait=True: APScheduler holds its job-store lock while it
        # waits, and a running sweep asks the store for its next run.
        # A sweep run still going ends by itself within half a second
        # of its current pass (workers.sweeper).
        scheduler.shutdown(wait=False)
        metrics.SWEEPER_LEADING.set(0)
    return True


def run_deliveries(worker: DeliveryWorker, say: Say) -> None:
    """Send the webhook outbox in this thread until `worker.stop()`."""
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    say(
        f"Webhook delivery running (database: {engine}, polling every "
        f"{settings.SEAT_WEBHOOK_POLL_SECONDS:g}s, attempts time out after "
        f"{settings.SEAT_WEBHOOK_TIMEOUT_SECONDS:g}s). Ctrl-C stops it."
    )
    worker.run()
