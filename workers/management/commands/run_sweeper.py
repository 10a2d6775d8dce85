"""The production sweeper: its own process, leading or standing by, until stopped.

Only SIGTERM or Ctrl-C stops it (workers.running.run_sweeper).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from workers.running import run_sweeper


class Command(BaseCommand):
    help = (
        "Run the expired-hold sweeper (and the waiting rooms' admissions) every "
        "SEAT_SWEEP_SECONDS until stopped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        run_sweeper(stopping, say=self._say, complain=self.stderr.write)
        self.stdout.write("Sweeper stopped.")

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
