"""Make an event from a stored seating plan.

The argument helpers here (`--price code=45.00`, `--starts-at`, finding a
plan by id or name) are shared by `import_plan` and `seed_demo`;
`--checkout-url` by `seed_demo`.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from plans import store
from seats.models import Event, SeatingPlan


class Command(BaseCommand):
    help = "Create an event with the seats and price categories of a stored plan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--plan", required=True, help="The plan's id, or its exact name."
        )
        add_event_arguments(parser, name_option="--name", required=True)
        add_checkout_argument(parser, default="")

    def handle(self, *args, **options) -> None:
        plan = find_plan(options["plan"])
        event = make_event(plan, options, name=options["name"])
        self.stdout.write(describe(event, plan))
        if event.checkout_url:
            self.stdout.write(f"Checkout: {event.checkout_url}")


def add_event_arguments(
    parser: CommandParser, *, name_option: str, required: bool
) -> None:
    """The options that make an event: name, start, prices, single-seat rule."""
    parser.add_argument(name_option, required=required, help="The event's name.")
    parser.add_argument(
        "--starts-at",
        type=starts_at,
        required=required,
        help="ISO date and time, e.g. 2026-12-31T19:30 (local time unless it "
        "names its offset).",
    )
    parser.add_argument(
        "--price",
        type=price,
        action="append",
        default=[],
        metavar="CODE=AMOUNT",
        help="The price of one category, by its code (repeat for each); "
        "categories without one cost 0.",
    )
    parser.add_argument("--currency", default="EUR")
    parser.add_argument(
        "--allow-single-seats",
        action="store_true",
        help="Let holds leave a single free seat between taken ones.",
    )


def add_checkout_argument(parser: CommandParser, *, default: str) -> None:
    shown = f" (default: {default})" if default else ""
    parser.add_argument(
        "--checkout-url",
        type=checkout_url,
        default=default,
        metavar="URL",
        help="The shop's checkout page: the seat map then offers \"Continue to "
        'checkout", which sends the buyer there with hold_token and event_id '
        f'in the query (docs/integration.md); "" for none{shown}.',
    )


def make_event(plan: SeatingPlan, options: dict, *, name: str) -> Event:
    try:
        with transaction.atomic():
            event = store.create_event(
                plan=plan,
                name=name,
                starts_at=options["starts_at"],
                prices=dict(options["price"]),
                currency=options["currency"],
                avoid_single_seats=not options["allow_single_seats"],
            )
            set_checkout_url(event, options.get("checkout_url") or "")
            return event
    except ValueError as error:
        raise CommandError(str(error)) from error


def set_checkout_url(event: Event, url: str) -> None:
    if url:
        event.checkout_url = url
        event.save(update_fields=["checkout_url"])


def describe(event: Event, plan: SeatingPlan) -> str:
    return (
        f"Created event {event.name!r} (id {event.id}) with {plan.size_text()} "
        f"from plan {plan.name!r} (id {plan.id})."
    )


def find_plan(id_or_name: str) -> SeatingPlan:
    """The plan with this id, or else the one plan with this exact name."""
    if id_or_name.isdigit():
        found = SeatingPlan.objects.filter(pk=int(id_or_name)).first()
        if found is not None:
            return found
    named = list(SeatingPlan.objects.filter(name=id_or_name).order_by("pk"))
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(str(p.id) for p in named)
        raise CommandError(f"Several plans are named {id_or_name!r} (ids {ids}).")
    raise CommandError(f"No plan with id or name {id_or_name!r}.")


def starts_at(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date and time (2026-12-31T19:30)"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def checkout_url(text: str) -> str:
    """An http(s) URL as the Event field takes it, or "" for none."""
    text = text.strip()
    if not text:
        return ""
    max_length = Event._meta.get_field("checkout_url").max_length
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an http(s) URL (https://shop.example/checkout)"
        ) from None
    if max_length is not None and len(text) > max_length:
        raise argparse.ArgumentTypeError(f"the URL is longer than {max_length}")
    return text


def price(text: str) -> tuple[str, Decimal]:
    code, sep, amount = text.partition("=")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        value = Decimal("NaN")
    if not sep or not code or not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not CODE=AMOUNT with an amount of 0 or more (premium=45.00)"
        )
    return code, value
