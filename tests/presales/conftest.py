"""Sales channels: an event with row A kept for a presale."""

from __future__ import annotations

import pytest

from presales import staff
from presales.selection import Selection
from seats.models import SalesChannel, Seat
from tests.conftest import T0

CODE = "Members-2026"


@pytest.fixture
def presale(event) -> SalesChannel:
    """'Members presale' (code CODE, no release time) keeping row A."""
    opened = staff.open_channel(
        event_id=event.id, name="Members presale", code=CODE, now=T0
    )
    staff.keep(
        event_id=event.id,
        channel_id=opened.channel.pk,
        selection=Selection(rows="A"),
        now=T0,
    )
    return opened.channel


def ids_of(event, *labels: str) -> list[int]:
    found = dict(
        Seat.objects.filter(event=event, label__in=labels).values_list("label", "id")
    )
    return [found[label] for label in labels]
