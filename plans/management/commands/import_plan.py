"""Import a seating plan from a file: pretix JSON, our own JSON, or CSV."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plans.document import Imported, PlanRejected
from plans.management.commands.create_event import (
    add_event_arguments,
    describe,
    find_plan,
    make_event,
)
from plans.reading import apply_flags, read_flags, read_plan
from plans.store import PlanChangeRefused, replace_plan, save_plan
from seats.models import SeatingPlan


class Command(BaseCommand):
    help = (
        "Import a seating plan (pretix JSON, our native JSON or CSV), optionally "
        "with a flags CSV (wheelchair spaces, companion seats, restricted view). "
        "Prints every warning; refuses the whole file, importing nothing, if "
        "anything in it is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["pretix", "native", "csv"])
        parser.add_argument("--name", help="The plan's name (default: the file's).")
        parser.add_argument("--flags", type=Path, metavar="FLAGS.csv")
        parser.add_argument(
            "--replace",
            metavar="PLAN_ID",
            help="Store as a new version of this plan; every event made from it "
            "follows, or nothing changes if one would lose a held or booked seat.",
        )
        add_event_arguments(parser, name_option="--create-event", required=False)

    def handle(self, *args, **options) -> None:
        if options["name"] is not None and not options["name"].strip():
            raise CommandError("--name must not be empty.")
        creating = options["create_event"] is not None
        if creating and options["starts_at"] is None:
            raise CommandError("--create-event needs --starts-at.")
        replacing = find_plan(options["replace"]) if options["replace"] else None
        try:
            imported = self._read(options)
            for warning in imported.warnings:
                self.stdout.write(self.style.WARNING(f"warning: {warning}"))
            stored = self._store(imported, replacing)
        except PlanRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{options['file']}: not imported "
                f"({len(rejected.problems)} problem(s) above)."
            ) from None
        except PlanChangeRefused as refused:
            raise CommandError(refused.message) from None
        verb = "Replaced" if replacing else "Imported"
        self.stdout.write(
            f"{verb} plan {stored.name!r} (id {stored.id}): {stored.size_text()}, "
            f"{len(stored.document['categories'])} categories."
        )
        if creating:
            event = make_event(stored, options, name=options["create_event"])
            self.stdout.write(describe(event, stored))

    def _read(self, options: dict) -> Imported:
        path: Path = options["file"]
        imported = read_plan(
            _bytes(path),
            filename=path.name,
            format=options["format"],
            name=options["name"],
        )
        if options["flags"] is not None:
            flags = read_flags(_bytes(options["flags"]))
            imported.plan = apply_flags(imported.plan, flags)
        return imported

    def _store(self, imported: Imported, replacing: SeatingPlan | None) -> SeatingPlan:
        if replacing is None:
            return save_plan(plan=imported.plan)
        events = replace_plan(stored=replacing, plan=imported.plan, now=timezone.now())
        for event in events:
            self.stdout.write(f"Event {event.name!r} (id {event.id}) follows the plan.")
        return replacing


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror}") from error
