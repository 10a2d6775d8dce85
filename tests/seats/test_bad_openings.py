"""A waiting room stored with an opening no date type can hold (before the
2000-2099 validators) is repaired on upgrade: moved to the window's edge and
switched off, so the event's pages, the admin and the admitter work again."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client

from seats.waiting import services as waiting
from seats.waiting.models import WaitingRoom

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

repair = importlib.import_module(
    "seats.migrations.0016_repair_openings_outside_the_century"
).repair


class Editor:
    connection = connection


@pytest.mark.parametrize(
    ("stored", "repaired"),
    [
        # Year 1 at +14:00: year 0 in UTC, which Python cannot read.
        ("0001-01-01 00:00:00+14", datetime(2000, 1, 1, tzinfo=UTC)),
        ("9999-12-31 23:59:59-14", datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_an_opening_outside_the_century_is_repaired(event, stored, repaired):
    room = waiting.configure(
        event_id=event.id, enabled=True, opens_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {WaitingRoom._meta.db_table} SET opens_at = %s::timestamptz"
            " WHERE id = %s",
            [stored, room.id],
        )
    if stored.startswith("0001"):
        # As stored, the row cannot be read at all.
        with pytest.raises(Exception, match="year|range|small"):
            WaitingRoom.objects.get(pk=room.id)

    repair(django_apps(), Editor())

    room = WaitingRoom.objects.get(pk=room.id)
    assert (room.opens_at, room.enabled) == (repaired, False)
    assert Client().get(f"/events/{event.id}/").status_code == 200
    assert waiting.admit_due() == []


def django_apps():
    from django.apps import apps

    return apps
