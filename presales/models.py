"""Every attempt to unlock a sales channel with a code, kept for staff."""

from __future__ import annotations

from django.db import models

from seats.models import Event, SalesChannel


class ChannelAccess(models.Model):
    """One code entered on an event's map: which channel it opened, if any.

    Staff see these on the channels page (who used a presale, and whether
    someone is guessing); the rate limit counts the failed ones
    (presales.access). The code itself is never stored.
    """

    class Outcome(models.TextChoices):
        UNLOCKED = "unlocked"
        WRONG = "wrong", "wrong code"
        ENDED = "ended", "channel ended"
        LIMITED = "limited", "too many attempts"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    # The channel the code opened (or whose code it was, once ended).
    channel = models.ForeignKey(
        SalesChannel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accesses",
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    # The session's holder id (seats.holders): who, as the server knows it.
    holder = models.CharField(max_length=40)
    # A keyed hash of the client's address (presales.codes.client_key).
    client = models.CharField(max_length=32, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "channel accesses"
        indexes = [
            # The rate limit: a session's and an address's recent failures.
            models.Index(fields=["holder", "at"], name="access_by_holder"),
            models.Index(fields=["client", "at"], name="access_by_client"),
            models.Index(fields=["event", "at"], name="access_by_event"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} by {self.holder} at {self.at.isoformat()}"
