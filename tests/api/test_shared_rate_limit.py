"""The per-key REST rate limit, shared by every worker through Redis.

Workers are separate processes that share nothing but Redis; two
`SharedBuckets` here are two workers' views of it. Against a real Redis.
"""

from __future__ import annotations

import logging
import secrets

import pytest
import redis

from api.v1 import ratelimit
from devtools.processes import free_port
from seats.errors import RateLimited
from tests.api.rest import problem
from tests.parallel import redis_url

URL = redis_url(1)


@pytest.fixture
def shared(no_api_rate_limit):
    """Burst 3 then (almost) nothing, in Redis under a prefix of this test's."""
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=3).ping()
    except Exception as error:  # pragma: no cover - the service is missing
        pytest.fail(
            f"Redis is not reachable at {URL} ({error}); `make test` starts it."
        )
    settings = no_api_rate_limit
    settings.SEAT_API_REQUESTS_PER_SECOND = 0.01
    settings.SEAT_API_REQUEST_BURST = 3
    settings.SEAT_SHARED_LIMITS_URL = URL
    settings.SEAT_SHARED_LIMITS_PREFIX = f"test-{secrets.token_hex(4)}"
    return settings


def test_two_workers_spend_from_one_bucket(shared):
    first = ratelimit.SharedBuckets(URL, shared.SEAT_SHARED_LIMITS_PREFIX)
    second = ratelimit.SharedBuckets(URL, shared.SEAT_SHARED_LIMITS_PREFIX)
    outcomes = []
    for worker in (first, second, first, second, first):
        try:
            worker.take(7, 0.01, 3)
            outcomes.append("ok")
        except RateLimited as limited:
            outcomes.append(limited.retry_after)
    assert outcomes[:3] == ["ok", "ok", "ok"]
    # About 100 s to the next token at 0.01 a second, whichever worker asks.
    assert all(isinstance(wait, float) and 90 < wait <= 100 for wait in outcomes[3:])
    # Another key has a bucket of its own.
    second.take(8, 0.01, 3)


def test_the_api_counts_what_other_workers_spent(shared, sell_key, shop, event):
    key_id = sell_key[0].pk
    other_worker = ratelimit.SharedBuckets(URL, shared.SEAT_SHARED_LIMITS_PREFIX)
    other_worker.take(key_id, 0.01, 3)
    other_worker.take(key_id, 0.01, 3)
    assert shop.get("/events").status_code == 200
    problem(shop.get("/events"), 429, "rate_limited")


def test_without_redis_each_worker_limits_on_its_own(shared, shop, event, caplog):
    shared.SEAT_SHARED_LIMITS_URL = f"redis://127.0.0.1:{free_port()}/0"
    with caplog.at_level(logging.WARNING, logger="api.v1.ratelimit"):
        for _ in range(3):
            assert shop.get("/events").status_code == 200
        problem(shop.get("/events"), 429, "rate_limited")
    warnings = [r for r in caplog.records if "per worker for now" in r.getMessage()]
    assert len(warnings) == 1
