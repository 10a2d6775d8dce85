"""Webhook endpoints as the staff dashboard shows them: failing, pending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from seats.models import WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True, slots=True)
class EndpointHealth:
    """A webhook endpoint as the staff dashboard shows it."""

    id: int
    url: str
    description: str
    enabled: bool
    disabled_reason: str
    failing_since: datetime | None
    pending: int


def webhook_endpoints() -> list[EndpointHealth]:
    """Every endpoint with its pending deliveries, switched-off ones first."""
    endpoints = WebhookEndpoint.objects.annotate(
        pending=Count(
            "deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING)
        )
    ).order_by("enabled", "id")
    return [
        EndpointHealth(
            id=e.id,
            url=e.url,
            description=e.description,
            enabled=e.enabled,
            disabled_reason=e.disabled_reason,
            failing_since=e.failing_since,
            pending=e.pending,
        )
        for e in endpoints
    ]
