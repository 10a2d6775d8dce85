"""Fixtures for the domain tests: a second event and a clock the entry points read.

Tests marked `postgres` need PostgreSQL (row locks, lock timeouts, advisory
locks): with the embedded SQLite default they are deselected, not skipped;
in the PostgreSQL pass (DATABASE_URL=postgres://...) they run, and fail
loudly if the server is unreachable.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from seats.models import Event, Seat
from tests.conftest import later


def pytest_configure(config):
    # Registered here too, so --strict-markers accepts it whatever pyproject says.
    config.addinivalue_line(
        "markers", "postgres: needs PostgreSQL; deselected on any other database"
    )


def pytest_collection_modifyitems(config, items):
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


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
