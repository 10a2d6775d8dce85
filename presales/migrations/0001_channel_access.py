"""The log of codes entered to unlock sales channels."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("seats", "0026_sales_channels"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChannelAccess",
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
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("unlocked", "Unlocked"),
                            ("wrong", "wrong code"),
                            ("ended", "channel ended"),
                            ("limited", "too many attempts"),
                        ],
                        max_length=8,
                    ),
                ),
                ("holder", models.CharField(max_length=40)),
                ("client", models.CharField(blank=True, default="", max_length=32)),
                ("at", models.DateTimeField()),
                (
                    "channel",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="accesses",
                        to="seats.saleschannel",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="seats.event",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "channel accesses",
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(fields=["holder", "at"], name="access_by_holder"),
                    models.Index(fields=["client", "at"], name="access_by_client"),
                    models.Index(fields=["event", "at"], name="access_by_event"),
                ],
            },
        ),
    ]
