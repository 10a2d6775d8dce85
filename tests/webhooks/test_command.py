"""`manage.py create_webhook`: an endpoint and its secret, or a clear refusal."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from seats.outbox.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_it_adds_an_endpoint_and_prints_its_secret():
    out = StringIO()
    call_command(
        "create_webhook",
        "http://127.0.0.1:8100/webhooks",
        "--event-type",
        "seats.expired",
        "--event-type",
        "booking.created",
        stdout=out,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["booking.created", "seats.expired"]
    assert endpoint.enabled
    assert f"Signing secret: {endpoint.secret}" in out.getvalue()
    assert endpoint.secret.startswith("whsec_")


def test_no_types_means_all_of_them():
    call_command("create_webhook", "https://shop.example/hooks", stdout=StringIO())
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == []
    assert endpoint.wants("seats.held") and endpoint.wants("booking.cancelled")


@pytest.mark.parametrize("url", ["ftp://shop/hooks", "not a url", "javascript:x"])
def test_a_bad_address_is_refused_and_nothing_is_added(url):
    with pytest.raises(CommandError, match="Not an http"):
        call_command("create_webhook", url, stdout=StringIO())
    assert not WebhookEndpoint.objects.exists()


def test_reuse_switches_the_existing_endpoint_on_and_prints_only_its_secret():
    first = StringIO()
    call_command(
        "create_webhook",
        "http://127.0.0.1:8100/webhooks",
        "--secret-only",
        stdout=first,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert first.getvalue().strip() == endpoint.secret
    WebhookEndpoint.objects.update(enabled=False, disabled_reason="failing")
    again = StringIO()
    call_command(
        "create_webhook",
        "http://127.0.0.1:8100/webhooks",
        "--reuse",
        "--secret-only",
        stdout=again,
    )
    assert WebhookEndpoint.objects.count() == 1
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == ""
    assert again.getvalue().strip() == endpoint.secret
