"""A demo event to try the seat map with, created only when there are no events.

By default it is held in the Grand Hall (plans/grand-hall.pretix.json with
its flags CSV, written by scripts/make_demo_plan.py), imported once and
reused. With --rows or --seats-per-row it is a plain grid built in code, as
the tests and tools that need a venue of a given size ask for. With
--checkout-url it sells through that shop (`make run` names the demo shop,
scripts/demo_shop.py); without, seats are booked on the map itself.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from plans.management.commands.create_event import (
    add_checkout_argument,
    set_checkout_url,
)
from plans.reading import apply_flags, read_flags, read_plan
from plans.store import create_event, save_plan
from plans.venues import create_venue
from seats.models import Event, SeatingPlan

DEMO_PLAN_NAME = "Grand Hall"
DEMO_PLAN = settings.BASE_DIR / "plans" / "grand-hall.pretix.json"
DEMO_FLAGS = settings.BASE_DIR / "plans" / "grand-hall.flags.csv"
# By category name, lower case: the plan's codes are made from its names.
DEMO_PRICES = {
    "premium": Decimal("65.00"),
    "standard": Decimal("45.00"),
    "balcony": Decimal("30.00"),
}


class Command(BaseCommand):
    help = (
        "Create a demo event if none exists: in the Grand Hall (about 500 seats, "
        "three categories, wheelchair spaces), or a grid with --rows/--seats-per-row."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, help="A grid: this many rows (10).")
        parser.add_argument(
            "--seats-per-row", type=int, help="A grid: this many seats a row (20)."
        )
        parser.add_argument("--name", default="Demo Concert")
        parser.add_argument(
            "--force", action="store_true", help="Create it even if events exist."
        )
        parser.add_argument(
            "--allow-single-seats",
            action="store_true",
            help="Let holds leave a single free seat between taken ones.",
        )
        add_checkout_argument(parser, default="")

    def handle(self, *args, **options) -> None:
        if Event.objects.exists() and not options["force"]:
            self.stdout.write("Events exist; no demo event created.")
            return
        avoid_single_seats = not options["allow_single_seats"]
        if options["rows"] is None and options["seats_per_row"] is None:
            plan = demo_plan()
            with transaction.atomic():
                event = create_event(
                    plan=plan,
                    name=options["name"],
                    starts_at=timezone.now().replace(microsecond=0)
                    + timedelta(days=30),
                    prices=demo_prices(plan),
                    avoid_single_seats=avoid_single_seats,
                )
                set_checkout_url(event, options["checkout_url"])
        else:
            with transaction.atomic():
                event = create_venue(
                    name=options["name"],
                    rows=options["rows"] or 10,
                    seats_per_row=options["seats_per_row"] or 20,
                    avoid_single_seats=avoid_single_seats,
                )
                set_checkout_url(event, options["checkout_url"])
        self.stdout.write(f"Created demo event {event.name!r} (id {event.id}).")
        if event.checkout_url:
            self.stdout.write(f"Checkout: {event.checkout_url}")


def demo_plan() -> SeatingPlan:
    """The Grand Hall: the stored plan of that name, or imported from plans/."""
    stored = SeatingPlan.objects.filter(name=DEMO_PLAN_NAME).order_by("pk").first()
    if stored is not None:
        return stored
    imported = read_plan(
        DEMO_PLAN.read_bytes(), filename=DEMO_PLAN.name, name=DEMO_PLAN_NAME
    )
    return save_plan(
        plan=apply_flags(imported.plan, read_flags(DEMO_FLAGS.read_bytes()))
    )


def demo_prices(plan: SeatingPlan) -> dict[str, Decimal]:
    return {
        c["code"]: DEMO_PRICES.get(c["name"].lower(), Decimal("0"))
        for c in plan.document["categories"]
    }
