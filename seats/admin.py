"""Admin screens. Seat state is read-only here: changes go through services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from seats import layouts, services
from seats.errors import RequestError
from seats.models import (
    Activity,
    BookedSeat,
    Booking,
    Event,
    Hold,
    PriceCategory,
    Seat,
    WaitingRoom,
)
from seats.services import staff
from seats.waiting import services as waiting


class PriceCategoryInline(admin.TabularInline):
    model = PriceCategory
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_at", "plan", "buyer_details", "version"]
    # The seats were made from the plan: moving an event onto another plan
    # is seats.services.seating.apply_layout's job (plans.store calls it; it
    # refuses to drop held and booked seats).
    readonly_fields = ["plan", "version", "layout_document"]
    inlines = [PriceCategoryInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Layout document")
    def layout_document(self, obj: Event) -> str:
        """A link to what every seat map draws (the same document for all)."""
        layout = layouts.layout_at(obj.pk, obj.layout_version)
        url = reverse("api-event-layout", args=[obj.pk, layout.digest])
        return format_html('<a href="{}">{}</a>', url, layout.digest)

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


# One page for every action that asks first: the objects, an optional
# field (a reason), and the button that applies it.
CONFIRM_PAGE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}
{% block content %}
<p>{{ question }}</p>
<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
<form method="post">{% csrf_token %}
  {% if form %}<fieldset class="module aligned">{{ form.as_div }}</fieldset>{% endif %}
  <input type="hidden" name="action" value="{{ action }}">
  {% for pk in pks %}
  <input type="hidden" name="{{ action_checkbox_name }}" value="{{ pk }}">
  {% endfor %}
  <input type="hidden" name="apply" value="1">
  <div class="submit-row"><input type="submit" value="{{ button }}" class="default">
  </div>
</form>
{% endblock %}"""
)


class BlockForm(forms.Form):
    reason = forms.CharField(max_length=120, help_text="House seats, sound desk …")
    release_holds = forms.BooleanField(
        required=False, label="Release customers' holds on these seats first"
    )


def confirm_page(modeladmin, request, queryset, *, action, question, button, form=None):
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": question,
        "opts": modeladmin.model._meta,
        "question": question,
        "items": [str(obj) for obj in queryset[:200]],
        "pks": list(queryset.values_list("pk", flat=True)),
        "action": action,
        "button": button,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, CONFIRM_PAGE, context)


def by_event(queryset) -> dict[int, list[int]]:
    """The selected seats' ids, per event (each event is one change)."""
    grouped: dict[int, list[int]] = {}
    for seat_id, event_id in queryset.values_list("id", "event_id"):
        grouped.setdefault(event_id, []).append(seat_id)
    return grouped


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "event",
        "category",
        "holder",
        "held_until",
        "booking",
        "blocked",
        "blocked_reason",
    ]
    list_filter = ["event", "category", "blocked"]
    search_fields = ["label", "holder"]
    readonly_fields = [
        "hold",
        "holder",
        "held_until",
        "booking",
        "blocked",
        "blocked_reason",
    ]
    actions = ["block_seats", "unblock_seats"]

    @admin.action(description="Block the selected seats (take them out of sale)")
    def block_seats(self, request, queryset):
        form = BlockForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            blocked = 0
            for event_id, seat_ids in by_event(queryset).items():
                try:
                    blocked += len(
                        staff.block_seats(
                            event_id=event_id,
                            seat_ids=seat_ids,
                            reason=form.cleaned_data["reason"],
                            release_holds=form.cleaned_data["release_holds"],
                            staff=request.user.get_username(),
                        )
                    )
                except RequestError as error:
                    self.message_user(request, error.message, messages.WARNING)
            self.message_user(request, f"Blocked {blocked} seat(s).")
            return None
        return confirm_page(
            self,
            request,
            queryset,
            action="block_seats",
            question="Block these seats? Nobody can hold or book them until unblocked.",
            button="Block",
            form=form,
        )

    @admin.action(description="Unblock the selected seats (back on sale)")
    def unblock_seats(self, request, queryset):
        if "apply" in request.POST:
            unblocked = 0
            for event_id, seat_ids in by_event(queryset).items():
                unblocked += len(
                    staff.unblock_seats(
                        event_id=event_id,
                        seat_ids=seat_ids,
                        staff=request.user.get_username(),
                    )
                )
            self.message_user(request, f"Unblocked {unblocked} seat(s).")
            return None
        return confirm_page(
            self,
            request,
            queryset,
            action="unblock_seats",
            question="Put these seats back on sale?",
            button="Unblock",
        )


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ["token", "event", "holder", "created_at", "expires_at"]
    list_filter = ["event"]
    readonly_fields = [
        "token",
        "event",
        "holder",
        "created_at",
        "expires_at",
        "max_expires_at",
    ]
    actions = ["release_holds"]

    @admin.action(description="Release the seats of the selected holds")
    def release_holds(self, request, queryset):
        now = timezone.now()
        released = 0
        for hold in queryset:
            seat_ids = list(hold.seats.held_at(now).values_list("id", flat=True))
            if not seat_ids:
                continue
            try:
                released += len(
                    staff.release_now(
                        event_id=hold.event_id,
                        seat_ids=seat_ids,
                        staff=request.user.get_username(),
                        now=now,
                    )
                )
            except RequestError as error:
                self.message_user(request, f"{hold}: {error.message}", messages.WARNING)
        self.message_user(request, f"Released {released} seat(s).")


class BookedSeatInline(admin.TabularInline):
    """Every seat the booking sold, the cancelled ones with time and refund;
    read-only like the booking."""

    model = BookedSeat
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "label",
        "category_code",
        "price",
        "currency",
        "cancelled_at",
        "refunded",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: a booking changes only through the services (cancel frees
    its seats, live, and tells the webhooks)."""

    list_display = [
        "reference",
        "event",
        "external_reference",
        "customer_name",
        "channel",
        "created_at",
        "cancelled_at",
    ]
    list_filter = ["channel", "event"]
    search_fields = [
        "reference",
        "holder",
        "external_reference",
        "customer_name",
        "customer_email",
    ]
    actions = ["cancel_bookings"]
    inlines = [BookedSeatInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Booking._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description="Cancel the selected bookings (their seats are free again)"
    )
    def cancel_bookings(self, request, queryset):
        if "apply" not in request.POST:
            return confirm_page(
                self,
                request,
                queryset,
                action="cancel_bookings",
                question="Cancel these bookings? Their seats are free again.",
                button="Cancel bookings",
            )
        for reference in queryset.values_list("reference", flat=True):
            try:
                services.cancel_booking(
                    reference=reference, staff=request.user.get_username()
                )
            except RequestError as error:
                messages.error(request, f"{reference}: {error.message}")
        self.message_user(request, f"Cancelled {queryset.count()} booking(s).")
        return None


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["at", "event", "seat", "kind", "holder", "staff", "note", "version"]
    list_filter = ["kind", "event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaitingRoom)
class WaitingRoomAdmin(admin.ModelAdmin):
    """Queue mode per event (docs/waiting-room.md); saved through the service,
    so every waiting page and dashboard hears of the change."""

    list_display = [
        "event",
        "enabled",
        "paused",
        "opens_at",
        "rate_per_minute",
        "max_admitted",
        "shopping_seconds",
    ]
    fields = [
        "event",
        "enabled",
        "paused",
        "opens_at",
        "rate_per_minute",
        "max_admitted",
        "shopping_seconds",
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["event"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        room = waiting.configure(
            event_id=obj.event_id,
            enabled=obj.enabled,
            paused=obj.paused,
            opens_at=obj.opens_at,
            rate_per_minute=obj.rate_per_minute,
            max_admitted=obj.max_admitted,
            shopping_seconds=obj.shopping_seconds,
        )
        obj.pk = room.pk
