"""The sweeper's clean-up pass: its own job history, and the records other
apps register with seats.housekeeping (presale code attempts, idempotency
keys), each deleted once past its keeping time and not before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiKey, IdempotencyRecord
from presales.models import ChannelAccess
from seats import housekeeping
from tests.api.rest import new_key
from workers.sweeper import clean_up


def attempt(event, at) -> ChannelAccess:
    return ChannelAccess.objects.create(
        event=event, outcome=ChannelAccess.Outcome.WRONG, holder="h", at=at
    )


def record(api_key, key: str, created_at) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        api_key=api_key, key=key, fingerprint="f", created_at=created_at
    )


@pytest.fixture
def api_key(db) -> ApiKey:
    return new_key(ApiKey.Scope.SELL, "shop")[0]


def test_old_code_attempts_and_expired_idempotency_keys_go_recent_ones_stay(
    settings, event, api_key
):
    settings.SEAT_CHANNEL_ACCESS_DAYS = 30
    settings.SEAT_IDEMPOTENCY_SECONDS = 3600
    now = timezone.now()
    old_attempt = attempt(event, now - timedelta(days=31))
    kept_attempt = attempt(event, now - timedelta(days=29))
    record(api_key, "old", now - timedelta(seconds=3700))
    record(api_key, "recent", now - timedelta(seconds=3500))

    deleted = clean_up(now)

    assert deleted == {"presale code attempts": 1, "idempotency keys": 1}
    assert list(ChannelAccess.objects.values_list("id", flat=True)) == [kept_attempt.id]
    assert old_attempt.id != kept_attempt.id
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


def test_a_failing_clean_up_is_logged_and_the_others_still_run(
    monkeypatch, caplog, settings, event
):
    settings.SEAT_CHANNEL_ACCESS_DAYS = 1
    attempt(event, timezone.now() - timedelta(days=2))

    def broken(now):
        raise RuntimeError("a table that is gone")

    # Registered first, so it runs before the others.
    monkeypatch.setattr(
        housekeeping,
        "_clean_ups",
        {"broken": broken, **housekeeping._clean_ups},
    )

    deleted = housekeeping.run_all(timezone.now())

    assert "broken" not in deleted
    assert deleted["presale code attempts"] == 1
    assert not ChannelAccess.objects.exists()
    assert "clean-up of broken failed" in caplog.text
