"""Admin screens. Seat state is read-only here: changes go through services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.http import HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from seats import services
from seats.errors import SeatError
from seats.models import (
    Activity,
    Booking,
    Event,
    Hold,
    PriceCategory,
    Seat,
    SeatingPlan,
    WaitingRoom,
)
from seats.plans import store
from seats.plans.document import Imported, PlanRejected
from seats.plans.reading import apply_flags, read_flags, read_plan
from seats.services import staff
from seats.waiting import services as waiting
from seats.webhooks import admin as webhooks_admin  # noqa: F401 (registers)


class PriceCategoryInline(admin.TabularInline):
    model = PriceCategory
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_at", "plan", "version"]
    # The seats were made from the plan: moving an event onto another plan
    # is store.change_event_plan's job (it checks held and booked seats).
    readonly_fields = ["plan", "version"]
    inlines = [PriceCategoryInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class PlanUploadForm(forms.ModelForm):
    """A plan file (pretix JSON, our JSON or CSV), read and checked in `clean`."""

    plan_file = forms.FileField(
        label="Plan file", help_text="pretix JSON, ours, or CSV"
    )
    flags_file = forms.FileField(
        label="Flags CSV",
        required=False,
        help_text="key,wheelchair,companion_of,restricted_view,note",
    )
    plan_name = forms.CharField(
        label="Name",
        max_length=200,
        required=False,
        help_text="Leave empty to use the name in the file.",
    )

    class Meta:
        model = SeatingPlan
        fields: list[str] = []

    imported: Imported | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        upload = cleaned.get("plan_file")
        if upload is None:
            return cleaned
        try:
            imported = read_plan(
                upload.read(),
                filename=upload.name,
                name=cleaned.get("plan_name") or None,
            )
            flags = cleaned.get("flags_file")
            if flags is not None:
                imported.plan = apply_flags(imported.plan, read_flags(flags.read()))
            too_big = store.storage_problems(imported.plan)
            if too_big:
                raise PlanRejected(too_big)
        except PlanRejected as rejected:
            raise forms.ValidationError(
                [str(problem) for problem in rejected.problems]
            ) from None
        self.imported = imported
        return cleaned


class PlanRenameForm(forms.ModelForm):
    class Meta:
        model = SeatingPlan
        fields = ["name"]


class CreateEventForm(forms.Form):
    """An event from a plan: name, start, and a price for each category."""

    name = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(help_text="e.g. 2026-12-31 19:30")
    currency = forms.CharField(max_length=3, initial="EUR")
    allow_single_seats = forms.BooleanField(
        required=False, help_text="Let holds leave one free seat between taken ones."
    )

    def __init__(self, *args: Any, categories: list[dict], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = [c["code"] for c in categories]
        for category in categories:
            self.fields[f"price_{category['code']}"] = forms.DecimalField(
                label=f"Price: {category['name']}",
                min_value=Decimal("0"),
                max_digits=9,
                decimal_places=2,
                initial=Decimal("0.00"),
            )

    def prices(self) -> dict[str, Decimal]:
        return {code: self.cleaned_data[f"price_{code}"] for code in self.codes}


CREATE_EVENT_PAGE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}
{% block content %}
<p>A new event with the {{ plan.seat_count }} seats and
{{ plan.document.categories|length }} categories of <b>{{ plan.name }}</b>.</p>
<form method="post">{% csrf_token %}
  <fieldset class="module aligned">{{ form.as_div }}</fieldset>
  <input type="hidden" name="action" value="create_event_from_plan">
  <input type="hidden" name="{{ action_checkbox_name }}" value="{{ plan.pk }}">
  <input type="hidden" name="apply" value="1">
  <div class="submit-row"><input type="submit" value="Create event" class="default">
  </div>
</form>
{% endblock %}"""
)


@admin.register(SeatingPlan)
class SeatingPlanAdmin(admin.ModelAdmin):
    """Plans are added by upload (all or nothing, every problem listed) and
    renamed here; a new version of a plan comes in with `import_plan --replace`,
    which moves its events along."""

    list_display = ["name", "seat_count", "width", "height", "updated_at"]
    search_fields = ["name"]
    actions = ["create_event_from_plan"]
    upload_fields = ["plan_file", "flags_file", "plan_name"]
    info_fields = [
        "seat_count",
        "width",
        "height",
        "events",
        "created_at",
        "updated_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = PlanRenameForm if obj is not None else PlanUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name", *self.info_fields] if obj is not None else self.upload_fields

    def get_readonly_fields(self, request, obj=None):
        return self.info_fields if obj is not None else []

    @admin.display(description="Events")
    def events(self, obj: SeatingPlan) -> str:
        return ", ".join(str(e) for e in obj.events.all()) or "none yet"

    def save_model(self, request, obj, form, change):
        if form.imported is None:  # a rename
            super().save_model(request, obj, form, change)
            return
        store.save_plan(plan=form.imported.plan, replace=obj)
        for warning in form.imported.warnings[:20]:
            self.message_user(request, f"warning: {warning}", messages.WARNING)

    @admin.action(description="Create an event from this plan")
    def create_event_from_plan(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one plan.", messages.WARNING)
            return None
        plan = queryset.get()
        categories = plan.document["categories"]
        if "apply" in request.POST:
            form = CreateEventForm(request.POST, categories=categories)
            if form.is_valid():
                event = store.create_event(
                    plan=plan,
                    name=form.cleaned_data["name"],
                    starts_at=form.cleaned_data["starts_at"],
                    prices=form.prices(),
                    currency=form.cleaned_data["currency"],
                    avoid_single_seats=not form.cleaned_data["allow_single_seats"],
                )
                self.message_user(
                    request,
                    f"Created event {event.name!r} with {plan.seat_count} seats.",
                )
                return HttpResponseRedirect(
                    reverse("admin:seats_event_change", args=[event.pk])
                )
        else:
            form = CreateEventForm(categories=categories, initial={"name": plan.name})
        context = {
            **self.admin_site.each_context(request),
            "title": f"Create an event from {plan.name}",
            "opts": self.model._meta,
            "plan": plan,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, CREATE_EVENT_PAGE, context)


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
                except SeatError as error:
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
            except SeatError as error:
                self.message_user(request, f"{hold}: {error.message}", messages.WARNING)
        self.message_user(request, f"Released {released} seat(s).")


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
    search_fields = ["reference", "holder", "external_reference", "customer_email"]
    actions = ["cancel_bookings"]

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
            except SeatError as error:
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
