"""Serve HTTP and WebSockets with daphne; in the embedded default, sweep and
deliver webhooks too.

The in-process sweeper and webhook sender start here (through
workers.running, where every background worker starts), exactly once per
serving process: not from AppConfig.ready() (which runs in every process
that imports Django, twice under the autoreloader). The order of start-up
lives in `realtime.serving`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from realtime.forwarded import networks
from realtime.serving import serve
from workers.running import start_in_process


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
            help=(
                "Trust X-Forwarded-For/-Proto from a reverse proxy on loopback"
                " (SEAT_TRUSTED_PROXIES, when set, lists the proxies instead)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        try:
            networks(settings.SEAT_TRUSTED_PROXIES)
        except ValueError as error:
            raise CommandError(f"SEAT_TRUSTED_PROXIES: {error}") from None
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
            start_workers=lambda: start_in_process(
                sweeper=options["sweeper"], deliveries=options["deliveries"]
            ),
            on_ready=say_serving,
        )
        if not started:
            raise SystemExit(1)
