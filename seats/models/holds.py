"""Holds: one holder's seats of one event, sharing one expiry."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import QuerySet

from seats.models.venues import Event


class HoldQuerySet(QuerySet["Hold"]):
    def running_at(self, now: datetime) -> HoldQuerySet:
        return self.filter(expires_at__gt=now)

    def running_for(self, event_id: int, holder: str, now: datetime) -> HoldQuerySet:
        """The holder's running hold(s) on the event, latest expiry first."""
        return (
            self.running_at(now)
            .filter(event_id=event_id, holder=holder)
            .order_by("-expires_at")
        )


class Hold(models.Model):
    """One holder's seats of one event, sharing one expiry.

    At most one row per holder and event, enforced by the database: every
    hold request claims (or creates) that row under lock before it counts
    the holder's seats, so two workers cannot both grant the per-holder
    limit. A row whose time has passed is started afresh by the next hold.
    """

    # Every hold and release writes this table's and the seats' indexes: an
    # index nothing reads costs every click (docs/architecture.md, "Indexes").
    # Unique as a constraint, not `unique=True`, which on PostgreSQL adds a
    # second, pattern-matching index that token lookups never use.
    token = models.CharField(max_length=32)
    # Not indexed alone: the (event, holder) constraint's index starts with it.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="holds", db_index=False
    )
    holder = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    # Extensions never move expires_at past this.
    max_expires_at = models.DateTimeField()
    # Seats the box office keeps for a named person ("Mrs Smith, phoning
    # back"); empty for every other hold. Staff only: never on the wire to
    # the public map. A default in the database too, for the statements
    # and stored functions that insert holds without naming it.
    held_for = models.CharField(max_length=200, blank=True, default="", db_default="")

    objects = HoldQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "holder"], name="one_hold_per_holder_per_event"
            ),
            models.UniqueConstraint(fields=["token"], name="one_hold_per_token"),
        ]

    def __str__(self) -> str:
        return f"hold {self.token} by {self.holder}"

    def is_active(self, now: datetime) -> bool:
        return self.expires_at > now
