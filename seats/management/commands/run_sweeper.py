"""The production sweeper: its own process, one scheduler, until stopped."""

import os
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from seats.leadership import Leadership
from seats.sweeper import build_scheduler

# How often the leader checks that it still holds its lock.
LEADERSHIP_CHECK_SECONDS = 5


class Command(BaseCommand):
    help = "Run the expired-hold sweeper every SEAT_SWEEP_SECONDS until stopped."

    def handle(self, *args, **options) -> None:
        leadership = Leadership()
        signal.signal(signal.SIGTERM, lambda signum, frame: _interrupt())
        try:
            leadership.acquire(
                wait=lambda: self.stdout.write(
                    "Another sweeper is active; standing by until it stops.",
                )
            )
        except KeyboardInterrupt:
            self.stdout.write("Sweeper stopped (it never led).")
            return

        scheduler = build_scheduler(blocking=True)

        def watch_leadership() -> None:
            while True:
                time.sleep(LEADERSHIP_CHECK_SECONDS)
                if not leadership.still_leading():
                    # Exit so a process manager restarts us as a candidate.
                    self.stderr.write("Lost the sweeper lock; exiting.")
                    os._exit(3)

        threading.Thread(target=watch_leadership, daemon=True).start()
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"Sweeper running every {settings.SEAT_SWEEP_SECONDS:g}s "
            f"(database: {engine}). Ctrl-C stops it.",
        )
        self.stdout.flush()
        try:
            scheduler.start()
        except KeyboardInterrupt:
            scheduler.shutdown(wait=False)
        finally:
            leadership.release()
        self.stdout.write("Sweeper stopped.")


def _interrupt() -> None:
    raise KeyboardInterrupt
