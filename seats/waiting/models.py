"""A waiting room per event, and one place in it per browser session.

Order is decided once, when a place is taken: everyone who joins before the
opening gets a random rank below EARLY_RANKS (so arriving at 9:31 or 9:59
does not matter), everyone after gets EARLY_RANKS + their place's id (first
come, first served, behind all early arrivals). Admission goes by rank.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# Ranks below this are the early arrivals' random draws; later ones follow.
EARLY_RANKS = 2**40

# Openings outside these are typing errors, and at the calendar's ends
# (year 1, year 9999) date arithmetic overflows: refused in every form.
EARLIEST_OPENING = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_OPENING = datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)


class WaitingRoom(models.Model):
    """Queue mode for one event: on while `enabled`."""

    event = models.OneToOneField(
        "seats.Event", on_delete=models.CASCADE, related_name="waiting_room"
    )
    enabled = models.BooleanField(default=False)
    opens_at = models.DateTimeField(
        validators=[
            MinValueValidator(EARLIEST_OPENING),
            MaxValueValidator(LATEST_OPENING),
        ]
    )
    # People admitted per minute, and at most this many admitted at once.
    rate_per_minute = models.PositiveIntegerField(default=60)
    max_admitted = models.PositiveIntegerField(default=500)
    # How long an admitted visitor may take before the admission lapses
    # (it lasts while they hold seats).
    shopping_seconds = models.PositiveIntegerField(default=600)
    paused = models.BooleanField(default=False)
    # Admissions owed by the rate and not yet made, as of `credit_at`: a
    # restarted admitter carries on where the last one stopped.
    credit = models.FloatField(default=0.0)
    credit_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change of the queue, as events' versions are.
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Waiting room of {self.event}"


class Place(models.Model):
    """One browser session's place in one event's waiting room."""

    class State(models.TextChoices):
        WAITING = "waiting"
        ADMITTED = "admitted"
        LAPSED = "lapsed"  # the shopping window ran out
        LEFT = "left"  # gave up the place

    room = models.ForeignKey(
        WaitingRoom, on_delete=models.CASCADE, related_name="places"
    )
    holder = models.CharField(max_length=40)
    # Who is behind the session as far as the server can tell (a keyed hash
    # of the client's address, or of its /64 on IPv6); empty when exempt. A
    # database default too, for rows written by code older than the column.
    client = models.CharField(max_length=32, blank=True, default="", db_default="")
    rank = models.BigIntegerField()
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.WAITING
    )
    joined_at = models.DateTimeField()
    admitted_at = models.DateTimeField(null=True, blank=True)
    # Until when the admission holds (unless the visitor holds seats then).
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["room", "holder"], name="one_place_per_holder"
            ),
        ]
        indexes = [
            models.Index(fields=["room", "state", "rank"], name="place_by_rank"),
            models.Index(fields=["room", "client"], name="place_by_client"),
        ]

    def __str__(self) -> str:
        return f"{self.holder} in {self.room_id} ({self.state})"
