"""The production sweeper: its own process, one scheduler, until stopped."""

import logging
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from seats.sweeper import build_scheduler

logger = logging.getLogger("seats.sweeper")


class Command(BaseCommand):
    help = "Run the expired-hold sweeper every SEAT_SWEEP_SECONDS until stopped."

    def handle(self, *args, **options) -> None:
        scheduler = build_scheduler(blocking=True)

        def stop(signum, frame):
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"Sweeper running every {settings.SEAT_SWEEP_SECONDS:g}s "
            f"(database: {engine}). "
            "Ctrl-C stops it."
        )
        try:
            scheduler.start()
        except KeyboardInterrupt:
            scheduler.shutdown(wait=False)
        self.stdout.write("Sweeper stopped.")
