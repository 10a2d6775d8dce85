"""The seating plans' admin: upload (all or nothing, every problem listed),
rename, and make an event from a plan."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from plans import store
from plans.document import Imported, PlanRejected
from plans.reading import apply_flags, read_flags, read_plan
from seats.models import SeatingPlan


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
<p>A new event with the {{ plan.size_text }} and
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

    list_display = ["name", "seat_count", "width", "height", "updated_at", "editor"]
    search_fields = ["name"]
    actions = ["create_event_from_plan"]
    upload_fields = ["plan_file", "flags_file", "plan_name"]
    info_fields = [
        "editor",
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

    @admin.display(description="Editor")
    def editor(self, obj: SeatingPlan) -> str:
        url = reverse("plan-editor", args=[obj.pk])
        return format_html('<a href="{}">Edit in the browser</a>', url)

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
                    f"Created event {event.name!r} with {plan.size_text()}.",
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
