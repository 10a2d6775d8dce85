"""Add a webhook endpoint from the command line (the admin does the same)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator

from seats.outbox.models import WebhookEndpoint
from seats.outbox.types import ALL_TYPES
from webhooks import destinations


class Command(BaseCommand):
    help = (
        "Add a webhook endpoint and print its signing secret (whsec_...), "
        "which its receiver verifies deliveries with."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="Where deliveries go, e.g. https://shop/hooks")
        parser.add_argument(
            "--event-type",
            dest="event_types",
            action="append",
            choices=ALL_TYPES,
            default=[],
            help="Send only this type (repeat for more); all types if left out.",
        )
        parser.add_argument("--description", default="")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="If an endpoint with this URL exists, switch it on and use it.",
        )
        parser.add_argument(
            "--secret-only",
            action="store_true",
            help="Print only the signing secret (for scripts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"]
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise CommandError(f"Not an http(s) URL: {url!r}") from None
        try:
            destinations.check_url(url)
        except destinations.Refused as refused:
            raise CommandError(f"Webhooks are not sent to {url!r}: {refused}") from None
        fields = {
            "description": options["description"],
            "event_types": sorted(set(options["event_types"])),
            "enabled": True,
            "disabled_reason": "",
            "failing_since": None,
        }
        existing = WebhookEndpoint.objects.filter(url=url).order_by("pk").first()
        if options["reuse"] and existing is not None:
            WebhookEndpoint.objects.filter(pk=existing.pk).update(**fields)
            endpoint = WebhookEndpoint.objects.get(pk=existing.pk)
        else:
            endpoint = WebhookEndpoint.objects.create(url=url, **fields)
        if options["secret_only"]:
            self.stdout.write(endpoint.secret)
            return
        kinds = ", ".join(endpoint.event_types) or "all event types"
        self.stdout.write(f"Webhook endpoint {endpoint.pk}: {url} ({kinds}).")
        self.stdout.write(f"Signing secret: {endpoint.secret}")
