"""Publishable keys and their visitors, for the embed tests."""

from __future__ import annotations

import pytest

from embed.models import PublishableKey

SHOP = "http://127.0.0.1:8100"


def new_key(*, origins=(SHOP,), events=(), name="shop") -> PublishableKey:
    key = PublishableKey.objects.create(name=name, origins=list(origins))
    key.events.set(events)
    return key


@pytest.fixture
def pk(db) -> PublishableKey:
    """A key of the demo shop's origin, for every event."""
    return new_key()


# The socket tests serve sockets on the test's loop like tests/realtime.
from tests.api.conftest import (  # noqa: E402, F401
    no_api_rate_limit,
    read_key,
    reader,
    sell_key,
    shop,
)
from tests.realtime.conftest import (  # noqa: E402, F401
    every_change_its_own_frame,
    no_heartbeats,
    serving_loop,
)
