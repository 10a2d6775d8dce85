"""Webhook endpoints and the outbox of deliveries to them.

A delivery row is written in the same transaction as the change it tells
of (seats.outbox.writer): a change that rolls back leaves no row, and a
row that committed is delivered at least once, by whichever delivery worker
gets to it, with the same `message_id` every time.
"""

from __future__ import annotations

import base64
import secrets

from django.db import models


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes, base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


class WebhookEndpoint(models.Model):
    """An address the operator configured; nothing is ever sent anywhere else."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100, default=new_secret)
    # Event types this endpoint gets (seats.outbox.types); empty: all of them.
    event_types = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    # Why it was switched off (by staff, or after a day of failures).
    disabled_reason = models.CharField(max_length=200, blank=True)
    # Start of the current run of failed attempts; cleared by a success.
    failing_since = models.DateTimeField(null=True, blank=True)
    # A delivery worker owns the endpoint until then: one sender per
    # endpoint keeps its deliveries in order across workers.
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One message to one endpoint, and how its delivery is going."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"  # gave up after retrying for a day

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # `webhook-id`: the same on every attempt, so receivers can deduplicate.
    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    event_type = models.CharField(max_length=40)
    # The seat event and its version (not a foreign key: the log outlives
    # what it tells of).
    event_id = models.BigIntegerField()
    version = models.PositiveBigIntegerField()
    payload = models.JSONField()
    created_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["endpoint", "status", "id"], name="delivery_queue_order"
            ),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} v{self.version} to {self.endpoint_id}"
