"""The production webhook sender: its own process, until SIGTERM or Ctrl-C.

Several may run (a rolling restart, one per host): each endpoint has one
sender at a time through its lease, so order holds whatever runs. A
database failure never ends it (webhooks.delivery).
"""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand

from webhooks.delivery import DeliveryWorker
from workers.running import run_deliveries


class Command(BaseCommand):
    help = "Deliver the webhook outbox until stopped (serve --no-deliveries beside it)."

    def handle(self, *args: Any, **options: Any) -> None:
        worker = DeliveryWorker()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: worker.stop())
        run_deliveries(worker, say=self._say)
        self.stdout.write("Webhook delivery stopped.")

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
