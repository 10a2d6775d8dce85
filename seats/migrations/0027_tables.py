"""Tables: seats at a table, sold whole or seat by seat.

`Seat.table` and `Seat.whole_table` (with database defaults: the click
functions insert nothing, but older processes in a rolling deploy insert
seats without naming them), `SeatingPlan.tables`; and the PostgreSQL click
functions taught to leave a seat of a table sold whole to the long way,
where the seat rules know that part of such a table may be neither taken
nor freed: `seats_click_hold` (as 0026 left it) and `seats_click_free`
(0020) treat it like a companion seat, not plain.
"""

import importlib

from django.db import migrations, models


def _module(name):
    return importlib.import_module(f"seats.migrations.{name}")


def _old_sources():
    click_hold = _module("0026_sales_channels")._new_sources()[2]
    return [click_hold, _module("0020_click_functions").CLICK_FREE]


HOLD_OLD = "bool_or(s.companion_of_id IS NOT NULL),"
HOLD_NEW = "bool_or(s.companion_of_id IS NOT NULL OR s.whole_table),"
FREE_OLD = "bool_or(s.companion_of_id IS NOT NULL OR s.wheelchair),"
FREE_NEW = "bool_or(s.companion_of_id IS NOT NULL OR s.wheelchair OR s.whole_table),"


def _replaced(source, old, new):
    assert source.count(old) == 1, old
    return source.replace(old, new)


def _new_sources():
    click_hold, click_free = _old_sources()
    return [
        _replaced(click_hold, HOLD_OLD, HOLD_NEW),
        _replaced(click_free, FREE_OLD, FREE_NEW),
    ]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for source in _new_sources():
            schema_editor.execute(source, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for source in _old_sources():
            schema_editor.execute(source, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("seats", "0026_sales_channels"),
    ]

    operations = [
        migrations.AddField(
            model_name="seat",
            name="table",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=40
            ),
        ),
        migrations.AddField(
            model_name="seat",
            name="whole_table",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="seatingplan",
            name="tables",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
