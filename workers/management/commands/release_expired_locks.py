"""One sweep now, reporting each seat it frees."""

from django.core.management.base import BaseCommand

from seats import services


class Command(BaseCommand):
    help = "Release every seat hold whose time has passed, and announce it."

    def handle(self, *args, **options) -> None:
        released = services.release_expired()
        for seat in released:
            self.stdout.write(
                f"Released lock on seat {seat.label} "
                f"(event: {seat.event_name}, was held by {seat.holder})"
            )
        self.stdout.write(f"Total locks released: {len(released)}")
