"""Drafts of seating plans, as the editor saves them, and who is editing.

A draft is a plan document (our own format) that may still have problems:
it is saved as drawn, checked on every save, and becomes the plan only when
published (`plans.drafts.publish`). Each save is a new `revision`, so two
staff editing one plan cannot silently overwrite each other.
"""

from __future__ import annotations

from django.db import models

from seats.models import SeatingPlan


class PlanDraft(models.Model):
    """The plan being edited: one per stored plan, made on first edit."""

    plan = models.OneToOneField(
        SeatingPlan, on_delete=models.CASCADE, related_name="draft"
    )
    document = models.JSONField()
    # Bumped by one with every save; a save names the revision it started from.
    revision = models.PositiveIntegerField(default=1)
    saved_at = models.DateTimeField(null=True, blank=True)
    saved_by = models.CharField(max_length=150, blank=True, default="")
    # The revision last made the plan (None: the plan as imported).
    published_revision = models.PositiveIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"draft of {self.plan.name} (revision {self.revision})"


class PlanEditing(models.Model):
    """Someone had the plan open in the editor at `seen_at` (presence)."""

    plan = models.ForeignKey(
        SeatingPlan, on_delete=models.CASCADE, related_name="editing"
    )
    name = models.CharField(max_length=150)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"], name="one_presence_per_editor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} editing plan {self.plan_id} at {self.seen_at.isoformat()}"
