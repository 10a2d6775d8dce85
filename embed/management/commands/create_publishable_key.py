"""`create_publishable_key NAME --origin URL [...] [--event ID ...]`: prints the key.

Only the key goes to stdout, so `KEY=$(manage.py create_publishable_key …)`
works; bad origins or unknown events are refused and nothing is created.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from embed.models import PublishableKey, parse_origins
from seats.models import Event


class Command(BaseCommand):
    help = "Create a publishable key for embedded seat maps and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--origin",
            action="append",
            default=[],
            help="An origin whose pages may use the key (scheme://host[:port]); "
            "repeat for more. At least one.",
        )
        parser.add_argument(
            "--event",
            action="append",
            type=int,
            default=[],
            help="An event id the key is issued for; repeat for more. "
            "None: every event.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name or len(name) > 100:
            raise CommandError("NAME must be 1 to 100 characters.")
        origins: list[str] = options["origin"]
        try:
            parse_origins(origins)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        event_ids = sorted(set(options["event"]))
        found = set(
            Event.objects.filter(
                pk__in=[i for i in event_ids if 0 < i < 2**63]
            ).values_list("id", flat=True)
        )
        missing = [i for i in event_ids if i not in found]
        if missing:
            raise CommandError(
                "No such event: " + ", ".join(str(i) for i in missing) + "."
            )
        with transaction.atomic():
            key = PublishableKey.objects.create(name=name, origins=origins)
            key.events.set(event_ids)
        self.stdout.write(key.key)
