"""One hold row per holder and event, enforced by a unique constraint.

Before the constraint can exist, earlier duplicates (two workers racing for
one holder could create them) are merged into the row that runs longest.
"""

from django.db import migrations, models
from django.db.models import Count


def merge_duplicate_holds(apps, schema_editor):
    Hold = apps.get_model("seats", "Hold")
    Seat = apps.get_model("seats", "Seat")
    duplicated = (
        Hold.objects.values("event_id", "holder")
        .annotate(rows=Count("id"))
        .filter(rows__gt=1)
    )
    for group in duplicated:
        holds = list(
            Hold.objects.filter(
                event_id=group["event_id"], holder=group["holder"]
            ).order_by("-expires_at", "-id")
        )
        keep, extra = holds[0], [h.id for h in holds[1:]]
        # Seats keep their own held_until; only the row they point at changes.
        Seat.objects.filter(hold_id__in=extra).update(hold_id=keep.id)
        Hold.objects.filter(id__in=extra).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("seats", "0002_seat_ordering_without_join"),
    ]

    operations = [
        migrations.RunPython(merge_duplicate_holds, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="hold",
            name="seats_hold_event_i_eec971_idx",
        ),
        migrations.AddConstraint(
            model_name="hold",
            constraint=models.UniqueConstraint(
                fields=("event", "holder"), name="one_hold_per_holder_per_event"
            ),
        ),
    ]
