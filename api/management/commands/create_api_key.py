"""Create an API key for a shop's backend; the plain key is printed once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.keys import create_key
from api.models import ApiKey
from seats.models import SalesChannel

NAME_MAX: int = ApiKey._meta.get_field("name").max_length or 100


class Command(BaseCommand):
    help = (
        "Create an API key. The plain key is the only line written to stdout, so "
        "KEY=$(python manage.py create_api_key shop --scope sell) captures it; the "
        "note that it is shown only once goes to stderr (silenced by -v 0). Only "
        "its hash is stored: a lost key cannot be shown again, make a new one. "
        "Revoke keys in the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Whose key this is, e.g. the shop's name.")
        parser.add_argument(
            "--scope",
            choices=ApiKey.Scope.values,
            default=ApiKey.Scope.READ,
            help="read: events, seat maps, holds and bookings; sell: also hold, "
            "book and cancel (default: read).",
        )
        parser.add_argument(
            "--channel",
            type=int,
            default=None,
            help="A sales channel's id: the key's holds may take the seats it "
            "keeps (a partner's allotment; docs/integration.md).",
        )

    def handle(self, *args, **options) -> None:
        name = options["name"].strip()
        if not name:
            raise CommandError("The key needs a name.")
        if len(name) > NAME_MAX:
            raise CommandError(f"The name is longer than {NAME_MAX} characters.")
        channel = options["channel"]
        if channel is not None and not SalesChannel.objects.filter(pk=channel).exists():
            raise CommandError(f"There is no sales channel {channel}.")
        api_key, plain = create_key(name, options["scope"], channel_id=channel)
        self.stdout.write(plain)
        if options["verbosity"] > 0:
            self.stderr.write(
                f"Created API key {api_key.name!r} (scope {api_key.scope}, "
                f"sk_{api_key.prefix}_…). It is shown only this once: store it now.",
                style_func=self.style.WARNING,
            )
