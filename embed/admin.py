"""Publishable keys in the admin: origins one per line, events to pick, revoke."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from embed.models import PublishableKey, parse_origins


class OriginsField(forms.Field):
    """A JSON list of origins, edited as text with one origin a line."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60})

    def prepare_value(self, value: object) -> object:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: object) -> list[str]:
        text = value if isinstance(value, str) else ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def validate(self, value: list[str]) -> None:
        if not value:
            raise ValidationError(
                "List at least one origin, like https://shop.example."
            )
        parse_origins(value)


class PublishableKeyForm(forms.ModelForm):
    origins = OriginsField(
        help_text="One origin a line, exactly as browsers send it: "
        "scheme://host[:port], no path, no trailing slash."
    )

    class Meta:
        model = PublishableKey
        fields = ["name", "origins", "events"]


@admin.register(PublishableKey)
class PublishableKeyAdmin(admin.ModelAdmin):
    form = PublishableKeyForm
    list_display = ("name", "key", "origin_list", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "key")
    readonly_fields = ("key", "created_at", "revoked_at")
    filter_horizontal = ("events",)
    actions = ["revoke"]

    @admin.display(description="origins")
    def origin_list(self, obj: PublishableKey) -> str:
        return ", ".join(str(o) for o in obj.origins or [])

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[PublishableKey]) -> None:
        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} key(s).", messages.SUCCESS)
