"""Admin screens for webhook endpoints and the delivery log.

Endpoints are the operator's to configure (nothing is sent anywhere else);
the log is read-only, and its one action, "Retry now", hands a delivery back
to the worker with its attempts kept. Actions that give the worker work set
`outbox.written`, so the worker in this process starts at once (the others
find it at their next poll).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from seats.outbox import types
from seats.outbox import writer as outbox
from seats.outbox.models import WebhookDelivery, WebhookEndpoint, new_secret
from seats.timefmt import iso
from webhooks import destinations

PENDING = WebhookDelivery.Status.PENDING


class WebhookEndpointForm(forms.ModelForm):
    """The address, what it gets (checkboxes; none ticked: everything), on or off."""

    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Messages go to this address only; redirects are not followed.",
    )
    event_types = forms.MultipleChoiceField(
        choices=[(name, name) for name in types.ALL_TYPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked to send every type.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "event_types", "enabled"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            destinations.check_url(url)
        except destinations.Refused as refused:
            raise forms.ValidationError(f"Not sent to: {refused}.") from None
        return url

    def clean_event_types(self) -> list[str]:
        chosen = set(self.cleaned_data["event_types"])
        return [name for name in types.ALL_TYPES if name in chosen]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["__str__", "url", "enabled", "pending", "failing_since"]
    list_filter = ["enabled"]
    search_fields = ["url", "description"]
    fields = [
        "url",
        "description",
        "event_types",
        "enabled",
        "disabled_reason",
        "failing_since",
        "signing_secret",
        "created_at",
    ]
    readonly_fields = [
        "disabled_reason",
        "failing_since",
        "signing_secret",
        "created_at",
    ]
    actions = ["enable_endpoints", "disable_endpoints", "rotate_secret"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                pending_count=Count("deliveries", filter=Q(deliveries__status=PENDING))
            )
        )

    @admin.display(description="Pending", ordering="pending_count")
    def pending(self, obj: WebhookEndpoint) -> int:
        return int(getattr(obj, "pending_count", 0))

    @admin.display(description="Signing secret")
    def signing_secret(self, obj: WebhookEndpoint) -> str:
        if obj.pk is None:
            return "Made when the endpoint is saved."
        # Shown whole so it can be copied into the receiver's configuration.
        return format_html("<code>{}</code>", obj.secret)

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        if change and "enabled" in form.changed_data:
            if obj.enabled:
                obj.failing_since = None
                obj.disabled_reason = ""
            else:
                obj.disabled_reason = _disabled_by(request)
        super().save_model(request, obj, form, change)
        if obj.enabled:
            outbox.written.set()

    @admin.action(description="Enable (and send what is pending)")
    def enable_endpoints(
        self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]
    ) -> None:
        count = queryset.update(enabled=True, failing_since=None, disabled_reason="")
        outbox.written.set()
        self.message_user(request, f"Enabled {count} endpoint(s).")

    @admin.action(description="Disable")
    def disable_endpoints(
        self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]
    ) -> None:
        count = queryset.filter(enabled=True).update(
            enabled=False, disabled_reason=_disabled_by(request)
        )
        self.message_user(request, f"Disabled {count} endpoint(s).")

    @admin.action(description="Rotate the signing secret")
    def rotate_secret(
        self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]
    ) -> None:
        # One by one: each endpoint gets a secret of its own.
        for endpoint in queryset:
            endpoint.secret = new_secret()
            endpoint.save(update_fields=["secret"])
        self.message_user(
            request,
            f"New secret for {queryset.count()} endpoint(s): every attempt from "
            "now on, retries included, is signed with it. Copy it from the "
            "endpoint's page to its receiver.",
            messages.WARNING,
        )


def _disabled_by(request: HttpRequest) -> str:
    return f"Disabled by {request.user} at {iso(timezone.now())}."


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was sent where, and how it went."""

    list_display = [
        "status",
        "event_type",
        "version",
        "endpoint",
        "attempts",
        "last_status_code",
        "last_attempt_at",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    search_fields = ["message_id"]
    list_select_related = ["endpoint"]
    log_fields = (
        "endpoint",
        "message_id",
        "event_type",
        "event_id",
        "version",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "last_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "body",
    )
    fields = log_fields
    readonly_fields = log_fields
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: WebhookDelivery | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: WebhookDelivery | None = None
    ) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.display(description="Body")
    def body(self, obj: WebhookDelivery) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False)
        )

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(
        self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]
    ) -> None:
        """Pending again and due now, attempts kept; delivered ones stay as they are."""
        retried = queryset.exclude(status=WebhookDelivery.Status.DELIVERED)
        switched_off = sorted(
            str(endpoint)
            for endpoint in WebhookEndpoint.objects.filter(
                enabled=False, deliveries__in=retried
            ).distinct()
        )
        count = retried.update(status=PENDING, next_attempt_at=timezone.now())
        outbox.written.set()
        self.message_user(request, f"{count} delivery(ies) will be sent again now.")
        if switched_off:
            self.message_user(
                request,
                "Switched off, so nothing is sent until enabled: "
                + ", ".join(switched_off),
                messages.WARNING,
            )
