"""Fixtures for the REST API tests: keys of each scope, and no rate limit
unless a test is about it."""

from __future__ import annotations

import pytest

from api.models import ApiKey
from api.v1.ratelimit import local
from tests.api.rest import Api, World, new_key


@pytest.fixture(autouse=True)
def no_api_rate_limit(settings):
    """The per-key limit off, and every key's bucket full: tests here make
    more requests a second than a shop would. The rate-limit tests turn it
    back on after this has run."""
    settings.SEAT_API_REQUESTS_PER_SECOND = 0
    local._buckets.clear()
    yield settings
    local._buckets.clear()


@pytest.fixture
def sell_key(db) -> tuple[ApiKey, str]:
    return new_key(ApiKey.Scope.SELL, "shop")


@pytest.fixture
def read_key(db) -> tuple[ApiKey, str]:
    return new_key(ApiKey.Scope.READ, "reporting")


@pytest.fixture
def shop(sell_key) -> Api:
    """A client with a sell key."""
    return Api(sell_key[1])


@pytest.fixture
def reader(read_key) -> Api:
    """A client with a read key."""
    return Api(read_key[1])


@pytest.fixture
def world(shop, event, seat_ids) -> World:
    """A running hold of two seats, a booking of a third, and free seats."""
    token = shop.hold_token(event.id, seat_ids[:2])
    booked = shop.hold_token(event.id, seat_ids[2:3])
    response = shop.book(booked)
    assert response.status_code == 201, response.content
    return World(
        event_id=event.id,
        token=token,
        held=seat_ids[:2],
        reference=response.json()["reference"],
        free=seat_ids[5:],
    )
