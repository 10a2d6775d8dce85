"""Serve HTTP and WebSockets with daphne; in the embedded default, sweep and
deliver webhooks too.

This command is the one place the in-process sweeper and webhook delivery
worker start, exactly once per serving process: not from AppConfig.ready()
(which runs in every process that imports Django, twice under the
autoreloader). The order of start-up lives in `realtime.serving`.
"""

from __future__ import annotations

from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from realtime.serving import serve
from seats import metrics
from seats.sweeper import build_scheduler
from seats.webhooks.delivery import DeliveryWorker


def _start_sweeper() -> BaseScheduler:
    scheduler = build_scheduler(blocking=False)
    scheduler.start()
    # The embedded sweeper leads for as long as its process lives (the gauge
    # is summed over live processes only).
    metrics.SWEEPER_LEADING.set(1)
    return scheduler


def _start_deliveries() -> DeliveryWorker:
    return DeliveryWorker().start()


class Command(BaseCommand):
    help = (
        "Serve the site with daphne (and the sweeper and the webhook delivery "
        "worker, unless --no-sweeper / --no-deliveries)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-sweeper",
            dest="sweeper",
            action="store_false",
            help="Do not sweep in this process (a separate run_sweeper does).",
        )
        parser.add_argument(
            "--no-deliveries",
            dest="deliveries",
            action="store_false",
            help="Do not send webhooks in this process (deliver_webhooks does).",
        )
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            help="Trust X-Forwarded-For/-Proto from a reverse proxy in front.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        sweeper = (
            f"in-process every {settings.SEAT_SWEEP_SECONDS:g}s"
            if options["sweeper"]
            else "external"
        )
        webhooks = "in-process" if options["deliveries"] else "external"

        def say_serving(backends: str) -> None:
            self.stdout.write(
                f"Serving on http://{host}:{port}/ ({backends}, sweeper: {sweeper},"
                f" webhooks: {webhooks}). Ctrl-C stops it."
            )
            self.stdout.flush()

        started = serve(
            host=host,
            port=port,
            proxy_headers=options["proxy_headers"],
            start_sweeper=_start_sweeper if options["sweeper"] else None,
            start_deliveries=_start_deliveries if options["deliveries"] else None,
            on_ready=say_serving,
        )
        if not started:
            raise SystemExit(1)
