"""The production webhook sender: its own process, until SIGTERM or Ctrl-C.

Several may run (a rolling restart, one per host): each endpoint has one
sender at a time through its lease, so order holds whatever runs. A
database failure never ends it (seats.webhooks.delivery).
"""

from __future__ import annotations

import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from seats.webhooks.delivery import DeliveryWorker


class Command(BaseCommand):
    help = "Deliver the webhook outbox until stopped (serve --no-deliveries beside it)."

    def handle(self, *args: Any, **options: Any) -> None:
        worker = DeliveryWorker()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: worker.stop())
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"Webhook delivery running (database: {engine}, polling every "
            f"{settings.SEAT_WEBHOOK_POLL_SECONDS:g}s, attempts time out after "
            f"{settings.SEAT_WEBHOOK_TIMEOUT_SECONDS:g}s). Ctrl-C stops it."
        )
        self.stdout.flush()
        worker.run()
        self.stdout.write("Webhook delivery stopped.")
