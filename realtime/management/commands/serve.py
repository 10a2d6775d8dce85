"""Serve HTTP and WebSockets with daphne; in the embedded default, sweep too.

This command is the one place the in-process sweeper starts, exactly once
per serving process: not from AppConfig.ready() (which runs in every process
that imports Django, twice under the autoreloader).
"""

import gc
import logging

from daphne.endpoints import build_endpoint_description_strings
from daphne.server import Server
from django.conf import settings
from django.core.management.base import BaseCommand

from config.asgi import application
from realtime.transport import install_backpressure
from seats.sweeper import build_scheduler


def backends_summary() -> str:
    database = settings.DATABASES["default"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    where = (
        database["NAME"]
        if engine == "sqlite3"
        else f"{database['HOST']}/{database['NAME']}"
    )
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"database: {engine} ({where}), channel layer: {layer}"


class Command(BaseCommand):
    help = "Serve the site with daphne (and the sweeper, unless --no-sweeper)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-sweeper",
            dest="sweeper",
            action="store_false",
            help="Do not sweep in this process (a separate run_sweeper does).",
        )
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            help="Trust X-Forwarded-For/-Proto from a reverse proxy in front.",
        )

    def handle(self, *args, **options) -> None:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(name)s: %(message)s"
        )
        scheduler = None
        if options["sweeper"]:
            scheduler = build_scheduler(blocking=False)
            scheduler.start()
        sweeper = (
            f"in-process every {settings.SEAT_SWEEP_SECONDS:g}s"
            if scheduler
            else "external"
        )
        self.stdout.write(
            f"Serving on http://{options['host']}:{options['port']}/ "
            f"({backends_summary()}, sweeper: {sweeper}). Ctrl-C stops it.",
        )
        self.stdout.flush()
        install_backpressure()
        # Everything loaded so far lives as long as the process: keep the
        # cyclic GC from rescanning it, which shows up as latency spikes in
        # broadcasts to thousands of sockets.
        gc.collect()
        gc.freeze()
        server = Server(
            application=application,
            endpoints=build_endpoint_description_strings(
                host=options["host"], port=options["port"]
            ),
            proxy_forwarded_address_header=(
                "X-Forwarded-For" if options["proxy_headers"] else None
            ),
            proxy_forwarded_port_header=(
                "X-Forwarded-Port" if options["proxy_headers"] else None
            ),
            proxy_forwarded_proto_header=(
                "X-Forwarded-Proto" if options["proxy_headers"] else None
            ),
        )
        try:
            server.run()
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
        if server.abort_start:
            raise SystemExit(1)
