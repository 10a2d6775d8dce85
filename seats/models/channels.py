"""Sales channels: seats kept for a presale, a partner, house seats."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q, QuerySet

from seats.models.venues import Event


class SalesChannelQuerySet(QuerySet["SalesChannel"]):
    def active_at(self, now: datetime) -> SalesChannelQuerySet:
        """Still keeping its seats at `now`."""
        return self.filter(channel_active_q(now))


def channel_active_q(now: datetime, *, via: str = "") -> Q:
    """Channels (reached through the relation `via`) still keeping their
    seats at `now`: no `releases_at`, or one still ahead."""
    return Q(**{f"{via}releases_at__isnull": True}) | Q(
        **{f"{via}releases_at__gt": now}
    )


def channel_active(releases_at: datetime | None, now: datetime) -> bool:
    """`channel_active_q` for one channel: time decides, not a job."""
    return releases_at is None or releases_at > now


class SalesChannel(models.Model):
    """Seats of one event kept for someone: a presale, a partner, house seats.

    A seat with a `channel` (Seat.channel) is not on sale to anyone who has
    not unlocked the channel, until `releases_at` (if set), after which it
    is an ordinary seat again: judged at every check, so nothing has to run
    at that moment. Unlocking is by access code (presales), by an API key
    of the channel (api.ApiKey.channel) or by staff at the box office.

    `code_digest` is an HMAC-SHA256 under the SECRET_KEY of the normalised
    code (presales.codes): the code itself is shown once, when set. Not to
    be confused with `Booking.channel` (web, box office, API: where a sale
    was made).
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="sales_channels"
    )
    name = models.CharField(max_length=80)
    # Looked up by (event, digest): the unique constraint's index.
    code_digest = models.CharField(max_length=64)
    releases_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = SalesChannelQuerySet.as_manager()

    class Meta:
        ordering = ["event_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "name"], name="sales_channel_name_per_event"
            ),
            # One code opens one channel of an event.
            models.UniqueConstraint(
                fields=["event", "code_digest"], name="sales_channel_code_per_event"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active(self, now: datetime) -> bool:
        return channel_active(self.releases_at, now)
