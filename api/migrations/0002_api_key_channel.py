"""API keys of a sales channel: their holds may take its kept seats."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("seats", "0026_sales_channels"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="channel",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="api_keys",
                to="seats.saleschannel",
            ),
        ),
    ]
