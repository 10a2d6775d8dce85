"""Waiting rooms stored with an opening outside 2000-2099 (before migration
0014's validators) are moved to the window's edge and switched off.

On PostgreSQL such a row (year 1 at +14:00 is year 0 in UTC) cannot even be
read into Python: the event's page, the staff pages, the admin and the
admitter all failed on it. The rows are changed without reading them, and
staff set a real opening again.
"""

from django.db import migrations

EARLIEST = "2000-01-01T00:00:00+00:00"
LATEST = "2099-12-31T23:59:59+00:00"


def repair(apps, schema_editor):
    rooms = apps.get_model("seats", "WaitingRoom").objects.using(
        schema_editor.connection.alias
    )
    rooms.filter(opens_at__lt=EARLIEST).update(opens_at=EARLIEST, enabled=False)
    rooms.filter(opens_at__gt=LATEST).update(opens_at=LATEST, enabled=False)


class Migration(migrations.Migration):
    dependencies = [
        ("seats", "0015_place_client"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
