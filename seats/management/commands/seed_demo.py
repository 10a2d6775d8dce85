"""A demo event to try the seat map with, created only when there are no events."""

from django.core.management.base import BaseCommand

from seats.models import Event
from seats.venues import create_venue


class Command(BaseCommand):
    help = (
        "Create a demo event (10 rows x 20 seats, two price categories) if none exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10)
        parser.add_argument("--seats-per-row", type=int, default=20)
        parser.add_argument("--name", default="Demo Concert")
        parser.add_argument(
            "--force", action="store_true", help="Create it even if events exist."
        )

    def handle(self, *args, **options) -> None:
        if Event.objects.exists() and not options["force"]:
            self.stdout.write("Events exist; no demo event created.")
            return
        event = create_venue(
            name=options["name"],
            rows=options["rows"],
            seats_per_row=options["seats_per_row"],
        )
        self.stdout.write(f"Created demo event {event.name!r} (id {event.id}).")
