"""Sales channels: seats kept for a presale, a partner, house seats.

`SalesChannel` and `Seat.channel`; and the PostgreSQL click functions
taught to leave a kept seat to the long way: `seats_take_free` (0011, and
its 0017 overload) takes only seats without a channel, under their locks,
and `seats_click_hold` (0020) treats a kept seat as not plain, so it goes
on to the long way (services.holds), which knows who unlocked which
channel and whether the channel is still active. Neither function ever
grants a kept seat.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models


def _module(name):
    return importlib.import_module(f"seats.migrations.{name}")


def _old_sources():
    take = _module("0011_take_free_seats_function").TAKE_FREE
    runs = _module("0017_one_call_locks_runs").with_run_check
    click = _module("0020_click_functions").CLICK_HOLD
    return [take, runs(take), click]


# The seats the take locks: only those without a channel count as free.
LOCKED_OLD = (
    "SELECT s.booking_id, s.blocked, s.hold_id, s.held_until\n        FROM seats_seat s"
)
LOCKED_NEW = (
    "SELECT s.booking_id, s.blocked, s.hold_id, s.held_until, s.channel_id\n"
    "        FROM seats_seat s"
)
FREE_OLD = "AND locked.hold_id IS NULL AND locked.held_until IS NULL;"
FREE_NEW = (
    "AND locked.hold_id IS NULL AND locked.held_until IS NULL\n"
    "      AND locked.channel_id IS NULL;"
)
# The click's plain case: a kept seat is not plain (the long way judges it).
PLAIN_OLD = "AND s.booking_id IS NULL AND NOT s.blocked),"
PLAIN_NEW = "AND s.booking_id IS NULL AND NOT s.blocked\n                    AND s.channel_id IS NULL),"


def _replaced(source, *pairs):
    for old, new in pairs:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


def _new_sources():
    take, take_in_runs, click = _old_sources()
    kept = [(LOCKED_OLD, LOCKED_NEW), (FREE_OLD, FREE_NEW)]
    return [
        _replaced(take, *kept),
        _replaced(take_in_runs, *kept),
        _replaced(click, (PLAIN_OLD, PLAIN_NEW)),
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
        ("seats", "0025_hold_held_for"),
    ]

    operations = [
        migrations.CreateModel(
            name="SalesChannel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("name", models.CharField(max_length=80)),
                ("code_digest", models.CharField(max_length=64)),
                ("releases_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField()),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sales_channels",
                        to="seats.event",
                    ),
                ),
            ],
            options={
                "ordering": ["event_id", "name", "id"],
            },
        ),
        migrations.AddField(
            model_name="seat",
            name="channel",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="seats",
                to="seats.saleschannel",
            ),
        ),
        migrations.AddConstraint(
            model_name="saleschannel",
            constraint=models.UniqueConstraint(
                fields=("event", "name"), name="sales_channel_name_per_event"
            ),
        ),
        migrations.AddConstraint(
            model_name="saleschannel",
            constraint=models.UniqueConstraint(
                fields=("event", "code_digest"), name="sales_channel_code_per_event"
            ),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
