"""Bodies over the limit get a clear 413 in the API's own format, before
anything reads them: problem+json on /api/v1/, the staff error document on
/api/staff/, with or without an Idempotency-Key."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from seats.models import Seat
from tests.api.rest import PREFIX, problem

pytestmark = pytest.mark.django_db


def too_big() -> str:
    pad = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    return '{"seat_ids": [1], "pad": "' + pad + '"}'


@pytest.mark.parametrize("idempotency_key", [None, "retry-1"])
def test_a_rest_body_over_the_limit_is_a_413_problem(
    shop, event, seat_ids, idempotency_key
):
    headers = shop.headers(
        {"Idempotency-Key": idempotency_key} if idempotency_key else None
    )
    response = Client().post(
        f"{PREFIX}/events/{event.id}/holds",
        too_big(),
        content_type="application/json",
        headers=headers,
    )

    document = problem(response, 413, "payload_too_large")
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in document["detail"]
    assert not Seat.objects.exclude(holder="").exists()


def test_a_staff_body_over_the_limit_is_a_413_document(event):
    staff = User.objects.create_user("sam", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.post(
        f"/api/staff/events/{event.id}/block",
        too_big(),
        content_type="application/json",
    )

    assert response.status_code == 413
    document = response.json()
    assert (document["type"], document["code"]) == ("error", "payload_too_large")
    assert not Seat.objects.filter(blocked=True).exists()
