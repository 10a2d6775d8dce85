"""Fixtures for the domain tests: a second event and a clock the entry points read."""

from __future__ import annotations

import pytest
from django.utils import timezone

from seats.models import Event, Seat
from tests.conftest import later


@pytest.fixture
def other_event(make_event) -> Event:
    return make_event(name="Other Night")


@pytest.fixture
def other_seat_ids(other_event) -> list[int]:
    return list(
        Seat.objects.filter(event=other_event)
        .order_by("pk")
        .values_list("id", flat=True)
    )


@pytest.fixture
def clock(monkeypatch):
    """Freeze `timezone.now()` for code that reads the clock itself (API, commands).

    Call the fixture's value with seconds after T0 to move the clock.
    """
    moment = {"now": later(0)}

    def set_to(seconds: float) -> None:
        moment["now"] = later(seconds)

    monkeypatch.setattr(timezone, "now", lambda: moment["now"])
    return set_to
