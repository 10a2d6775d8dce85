"""Venues and events: stored plans, events, their price categories."""

from __future__ import annotations

from django.db import models


class SeatingPlan(models.Model):
    """A venue's seating plan, stored once; events are made from it.

    `document` is the plan in our own JSON format (plans.native), the
    source for exports and for new events; `areas` are its drawn shapes as
    the snapshot sends them, and `standing` its standing areas (name,
    capacity, category and outline: `plans.document.standing_record`). Seat
    state never lives here: each event has its own seat rows, matched to the
    plan's seats by `Seat.key`; a standing area's places are seat rows too.
    """

    name = models.CharField(max_length=200)
    document = models.JSONField()
    areas = models.JSONField(default=list, blank=True)
    standing = models.JSONField(default=list, blank=True)
    tables = models.JSONField(default=list, blank=True)
    width = models.FloatField(default=0)
    height = models.FloatField(default=0)
    seat_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.size_text()})"

    def size_text(self) -> str:
        """ "515 seats", or "72 seats and 800 standing places"."""
        standing = sum(int(a.get("capacity", 0)) for a in self.standing or ())
        seats = f"{self.seat_count - standing} seats"
        return f"{seats} and {standing} standing places" if standing else seats


class BuyerDetails(models.TextChoices):
    """What a booking of the event must say about its buyer (name, email)."""

    NONE = "none", "not asked"
    OPTIONAL = "optional", "asked, may be left out"
    REQUIRED = "required", "required"


class Event(models.Model):
    name = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    # The plan the seats were made from; None for venues built in code.
    plan = models.ForeignKey(
        SeatingPlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    # Refuse holds and releases that would leave one free seat between two
    # taken ones in a row (seats.rules).
    avoid_single_seats = models.BooleanField(default=True)
    # The shop's checkout page: "Continue to checkout" sends the browser
    # there with its hold token (docs/integration.md). Empty: no button.
    checkout_url = models.URLField(max_length=500, blank=True)
    # Whether Book asks for the buyer's name and email (seats.services.buyers);
    # a given email is always checked, a missing one refused only if required.
    buyer_details = models.CharField(
        max_length=8, choices=BuyerDetails.choices, default=BuyerDetails.NONE
    )
    # Bumped by exactly 1 in the transaction of every announced change, so
    # clients can spot a missed message.
    version = models.PositiveBigIntegerField(default=0)
    # Bumped when the seats' places, labels or flags change (a new plan): the
    # layout document (seats.layouts) is built once per layout version.
    layout_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.name


class PriceCategory(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    price = models.DecimalField(max_digits=9, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    # How the map draws the category's seats (CSS colour); empty: the default.
    color = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-price", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"], name="category_code_per_event"
            )
        ]
        verbose_name_plural = "price categories"

    def __str__(self) -> str:
        return f"{self.name} ({self.price} {self.currency})"
