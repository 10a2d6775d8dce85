"""The production sweeper: its own process, leading or standing by, until stopped.

A transient database failure never ends it. While it leads, it checks its
advisory lock every LEADERSHIP_CHECK_SECONDS; if the lock's connection dies
(a restart, pg_terminate_backend, a network blip) it stops sweeping and
stands by again, so another sweeper can take over and neither ever leads
twice. Errors while connecting or waiting are logged and retried with
backoff. Only SIGTERM or Ctrl-C stops it.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from seats import metrics
from seats.leadership import Leadership
from seats.sweeper import build_scheduler

logger = logging.getLogger(__name__)

# How often the leader checks that it still holds its lock.
LEADERSHIP_CHECK_SECONDS = 5.0
# How often a standby tries for the lock.
STANDBY_POLL_SECONDS = 2.0
# Backoff after a database error: doubling from the first, up to the last.
RETRY_SECONDS = (0.5, 10.0)


class Command(BaseCommand):
    help = "Run the expired-hold sweeper every SEAT_SWEEP_SECONDS until stopped."

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        delay = RETRY_SECONDS[0]
        while not stopping.is_set():
            leadership = Leadership()
            try:
                if self._lead(leadership, stopping, engine):
                    delay = RETRY_SECONDS[0]
                    continue
            except Exception as error:  # a database blip: stand by and retry
                self.stderr.write(f"Sweeper database error ({error}); retrying.")
                logger.warning("sweeper database error", exc_info=True)
                stopping.wait(delay)
                delay = min(delay * 2, RETRY_SECONDS[1])
            finally:
                leadership.release()
        self.stdout.write("Sweeper stopped.")

    def _lead(
        self, leadership: Leadership, stopping: threading.Event, engine: str
    ) -> bool:
        """Wait for the lock, sweep while it holds; True if it led at all."""
        if not leadership.acquire(
            wait=lambda: self.stdout.write(
                "Another sweeper is active; standing by until it stops."
            ),
            poll=STANDBY_POLL_SECONDS,
            stop=stopping,
        ):
            return False
        scheduler = build_scheduler(blocking=False)
        scheduler.start()
        self.stdout.write(
            f"Sweeper running every {settings.SEAT_SWEEP_SECONDS:g}s "
            f"(database: {engine}). Ctrl-C stops it."
        )
        self.stdout.flush()
        metrics.SWEEPER_LEADING.set(1)
        try:
            while not stopping.wait(LEADERSHIP_CHECK_SECONDS):
                if not leadership.still_leading():
                    self.stderr.write("Lost the sweeper lock; standing by again.")
                    break
        finally:
            # Not wait=True: APScheduler holds its job-store lock while it
            # waits, and a running sweep asks the store for its next run.
            # A sweep still running ends by itself within one interval.
            scheduler.shutdown(wait=False)
            metrics.SWEEPER_LEADING.set(0)
        return True
