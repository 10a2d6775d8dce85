"""Write a stored seating plan out as a file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans.management.commands.create_event import find_plan
from plans.reading import write_plan
from plans.store import plan_of


class Command(BaseCommand):
    help = (
        "Export a stored plan as our own JSON (native, lossless) or pretix's "
        "(seat flags and labels are not carried)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", help="The plan's id, or its exact name.")
        parser.add_argument("--format", choices=["native", "pretix"], default="native")
        parser.add_argument(
            "--output", type=Path, help="Write here instead of standard output."
        )

    def handle(self, *args, **options) -> None:
        stored = find_plan(options["plan"])
        data = write_plan(plan_of(stored), options["format"])
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        try:
            output.write_bytes(data)
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}") from error
        self.stderr.write(
            f"Wrote plan {stored.name!r} (id {stored.id}) to {output} "
            f"({options['format']})."
        )
