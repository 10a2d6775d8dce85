"""The activity log and the serving processes' heartbeats."""

from __future__ import annotations

from django.db import models

from seats.models.seat import Seat
from seats.models.venues import Event


class Activity(models.Model):
    """One row per seat per state change: the audit trail and the dashboard feed."""

    class Kind(models.TextChoices):
        HELD = "held"
        RELEASED = "released"
        EXPIRED = "expired"
        EXTENDED = "extended"
        BOOKED = "booked"
        CANCELLED = "cancelled"  # a booking cancelled: its seats are free again
        BLOCKED = "blocked"  # taken out of sale by staff
        UNBLOCKED = "unblocked"  # back on sale

    # Not indexed alone: activity_by_version starts with it. Neither key is
    # a database constraint: every change writes its rows in the transaction
    # that locked the seats they name, and checking each row again at commit
    # was about a tenth of PostgreSQL's time per click. Deletes still
    # cascade (Django does that).
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="activity",
        db_index=False,
        db_constraint=False,
    )
    seat = models.ForeignKey(
        Seat, on_delete=models.CASCADE, related_name="activity", db_constraint=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    holder = models.CharField(max_length=40)
    at = models.DateTimeField(db_index=True)
    # The event version of the change that wrote this row.
    version = models.PositiveBigIntegerField()
    # The staff member who made the change, if staff did (username).
    staff = models.CharField(max_length=150, blank=True, default="")
    # What staff said (a block's reason, a box office sale's payment note).
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "activity"
        # A worker that missed a change reads it back by version (seats.catchup).
        indexes = [
            models.Index(fields=["event", "version"], name="activity_by_version")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.seat_id} by {self.holder}"


class ServingProcess(models.Model):
    """A serving process that is alive as long as it beats.

    Holds of sockets without a session belong to their connection, and a
    connection's holder names its process (seats.holders). When a process
    dies without closing its sockets (killed, out of memory, its machine
    gone), its beat stops, and the sweeper frees those holds
    (services.orphans) instead of leaving them until they expire.
    """

    key = models.CharField(max_length=16, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"process {self.key} (beat {self.beat_at.isoformat()})"
