"""API keys in the admin: made here or with `manage.py create_api_key`.

The plain key is shown once, in the message after saving, and never again:
only its hash is stored. Keys are revoked, not deleted, so the log of who
used which key keeps its meaning.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from api import keys
from api.models import ApiKey


class NewKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "scope", "channel"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "key_prefix",
        "scope",
        "channel",
        "created_at",
        "last_used_at",
        "state",
    ]
    list_filter = ["scope"]
    search_fields = ["name", "prefix"]
    actions = ["revoke_keys"]

    def get_form(
        self,
        request: HttpRequest,
        obj: Any | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        if obj is None:
            kwargs["form"] = NewKeyForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any | None = None) -> Any:
        if obj is None:
            return ["name", "scope", "channel"]
        return [
            "name",
            "key_prefix",
            "scope",
            "channel",
            "created_at",
            "last_used_at",
            "state",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any | None = None) -> Any:
        if obj is None:
            return []
        # A key's scope and channel never change: make a new key instead.
        return ["key_prefix", "scope", "channel", "created_at", "last_used_at", "state"]

    def save_model(
        self, request: HttpRequest, obj: ApiKey, form: Any, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        made, plain = keys.create_key(obj.name, obj.scope, channel_id=obj.channel_id)
        obj.pk, obj.prefix, obj.hashed = made.pk, made.prefix, made.hashed
        obj.created_at = made.created_at
        messages.warning(
            request,
            f"The new key is {plain} — copy it now: it is not stored and will "
            "not be shown again.",
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="key")
    def key_prefix(self, obj: ApiKey) -> str:
        return f"sk_{obj.prefix}_…"

    @admin.display(description="state")
    def state(self, obj: ApiKey) -> str:
        return "active" if obj.is_active else f"revoked {obj.revoked_at:%Y-%m-%d %H:%M}"

    @admin.action(description="Revoke the selected keys")
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            keys.revoke(api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")
