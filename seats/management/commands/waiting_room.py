"""Turn an event's waiting room on, change it, or turn it off; prints its figures."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from seats.errors import RequestError
from seats.models import Event
from seats.waiting import services as waiting


class Command(BaseCommand):
    help = (
        "Set up the waiting room of an event (docs/waiting-room.md): "
        "waiting_room 1 --on --opens-in 60 --rate 2"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("event", type=int, help="the event's id")
        switch = parser.add_mutually_exclusive_group()
        switch.add_argument("--on", action="store_true", help="turn queue mode on")
        switch.add_argument("--off", action="store_true", help="turn it off")
        opening = parser.add_mutually_exclusive_group()
        opening.add_argument("--opens-at", help="ISO 8601 time with its offset")
        opening.add_argument(
            "--opens-in", type=float, help="seconds from now until the opening"
        )
        parser.add_argument("--rate", type=int, help="people admitted per minute")
        parser.add_argument("--max-admitted", type=int, help="most admitted at once")
        parser.add_argument(
            "--shopping-seconds", type=int, help="how long an admission lasts"
        )
        pause = parser.add_mutually_exclusive_group()
        pause.add_argument("--pause", action="store_true")
        pause.add_argument("--resume", action="store_true")

    def handle(self, *args, **options) -> None:
        opens_at = None
        if options["opens_at"]:
            opens_at = parse_datetime(options["opens_at"])
            if opens_at is None or opens_at.tzinfo is None:
                raise CommandError("--opens-at needs an ISO 8601 time with its offset")
        elif options["opens_in"] is not None:
            opens_at = timezone.now() + timedelta(seconds=options["opens_in"])
        try:
            waiting.configure(
                event_id=options["event"],
                enabled=True if options["on"] else False if options["off"] else None,
                opens_at=opens_at,
                rate_per_minute=options["rate"],
                max_admitted=options["max_admitted"],
                shopping_seconds=options["shopping_seconds"],
                paused=True
                if options["pause"]
                else False
                if options["resume"]
                else None,
            )
        except Event.DoesNotExist:
            raise CommandError(f"There is no event {options['event']}.") from None
        except RequestError as error:
            raise CommandError(error.message) from None
        stats = waiting.stats(event_id=options["event"])
        assert stats is not None
        state = "on" if stats.enabled else "off"
        paused = " (paused)" if stats.paused else ""
        self.stdout.write(
            f"Waiting room of event {stats.event_id}: {state}{paused}, "
            f"opens {stats.opens_at.isoformat()}, "
            f"{stats.rate_per_minute} per minute, at most {stats.max_admitted} "
            f"admitted for {stats.shopping_seconds} s; "
            f"{stats.waiting} waiting, {stats.admitted} admitted"
        )
