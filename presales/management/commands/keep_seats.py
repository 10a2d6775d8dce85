"""Keep seats of an event for a sales channel, or give them back to general sale."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from presales import staff
from presales.selection import Selection, seat_ids
from seats.errors import RequestError
from seats.models import Event, SalesChannel


class Command(BaseCommand):
    help = (
        "Keep seats for a sales channel (a presale, a partner, house seats): "
        "`keep_seats 1 --channel 'Members presale' --rows A` or "
        "`--labels 'A1-A20, B5'` or `--section Balcony`; `--general` gives "
        "them back to general sale. `--new` opens the channel first and "
        "prints its code once (`--code`, or a random one; `--releases-at`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event", type=int)
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--channel", help="The channel's name.")
        which.add_argument(
            "--general", action="store_true", help="Back to general sale."
        )
        parser.add_argument("--new", action="store_true", help="Open the channel.")
        parser.add_argument("--code", default="", help="With --new: its code.")
        parser.add_argument(
            "--releases-at",
            default="",
            help="With --new: when its seats return to general sale (ISO 8601).",
        )
        parser.add_argument("--section", default="", help="A zone.")
        parser.add_argument("--rows", default="", help="Rows, comma-separated.")
        parser.add_argument("--labels", default="", help="Labels and ranges.")

    def handle(self, *args, **options) -> None:
        event = Event.objects.filter(pk=options["event"]).first()
        if event is None:
            raise CommandError(f"There is no event {options['event']}.")
        now = timezone.now()
        selection = Selection(
            section=options["section"], rows=options["rows"], labels=options["labels"]
        )
        try:
            if not selection.is_empty():
                # Named seats first: a channel is not opened for a selection
                # that names nothing (its code would be shown for nothing).
                seat_ids(event.id, selection)
            channel_id = self._channel(event, options, now)
            if selection.is_empty():
                return
            changed = staff.keep(
                event_id=event.id,
                channel_id=channel_id,
                selection=selection,
                now=now,
            )
        except RequestError as refused:
            raise CommandError(refused.message) from None
        where = options["channel"] or "general sale"
        self.stdout.write(f"{len(changed)} seat(s) now kept for {where}.")

    def _channel(self, event: Event, options: dict, now) -> int | None:
        name = options["channel"]
        if name is None:
            return None
        if options["new"]:
            releases_at = None
            if options["releases_at"]:
                releases_at = parse_datetime(options["releases_at"])
                if releases_at is None:
                    raise CommandError("--releases-at is not an ISO 8601 time.")
                if timezone.is_naive(releases_at):
                    releases_at = timezone.make_aware(releases_at)
            opened = staff.open_channel(
                event_id=event.id,
                name=name,
                code=options["code"],
                releases_at=releases_at,
                now=now,
            )
            self.stdout.write(
                f"Opened {name!r}; its code is {opened.code} (shown only this once)."
            )
            return opened.channel.pk
        channel = SalesChannel.objects.filter(event=event, name=name).first()
        if channel is None:
            raise CommandError(
                f"{event.name} has no channel {name!r} (--new opens one)."
            )
        return channel.pk
