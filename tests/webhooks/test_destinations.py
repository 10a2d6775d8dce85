"""Where webhooks may go: https to public addresses, unless the operator allows more.

The checks run when an endpoint is saved and again before every attempt, on
the freshly resolved addresses; the attempt connects to the address that
was checked. Name resolution is the one thing faked here (no DNS on a test
machine); the receivers are real.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from seats.outbox.models import WebhookEndpoint
from webhooks import delivery, destinations


@pytest.fixture
def defaults(settings):
    """The shipped defaults, not the local receivers' allowances of conftest."""
    settings.SEAT_WEBHOOK_ALLOW_HTTP = False
    settings.SEAT_WEBHOOK_ALLOWED_HOSTS = []
    return settings


@pytest.fixture
def dns(monkeypatch):
    """Host names resolve to what the test says (anything else fails)."""
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
            answers.setdefault(host, [host])  # numeric: as the real one does
        except ValueError:
            pass
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, 1, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


INSIDE = [
    "https://127.0.0.1/hooks",
    "https://127.8.9.10/hooks",
    "https://10.0.0.5/hooks",
    "https://172.16.3.4/hooks",
    "https://192.168.1.1/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hooks",
    "https://0.0.0.0/hooks",
    "https://[::1]/hooks",
    "https://[fd00::1]/hooks",
    "https://[fe80::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://224.0.0.1/hooks",
    "https://localhost/hooks",
    "https://LOCALHOST./hooks",
    "https://shop.localhost/hooks",
]


@pytest.mark.parametrize("url", INSIDE)
def test_internal_addresses_are_refused_when_saved(defaults, url):
    with pytest.raises(destinations.Refused, match="SEAT_WEBHOOK_ALLOWED_HOSTS"):
        destinations.check_url(url)


def test_public_https_is_fine_and_http_needs_the_setting(defaults):
    destinations.check_url("https://shop.example/hooks")
    destinations.check_url("https://93.184.215.14:8443/hooks")
    with pytest.raises(destinations.Refused, match="SEAT_WEBHOOK_ALLOW_HTTP"):
        destinations.check_url("http://shop.example/hooks")
    defaults.SEAT_WEBHOOK_ALLOW_HTTP = True
    destinations.check_url("http://shop.example/hooks")
    for url in ("ftp://shop.example/", "https:///nohost", "https://shop.example:x/"):
        with pytest.raises(destinations.Refused):
            destinations.check_url(url)


def test_listed_internal_hosts_are_allowed(defaults):
    defaults.SEAT_WEBHOOK_ALLOWED_HOSTS = ["10.1.0.0/16", "hooks.internal", "::1"]
    destinations.check_url("https://10.1.2.3/hooks")
    destinations.check_url("https://[::1]/hooks")
    with pytest.raises(destinations.Refused):
        destinations.check_url("https://10.2.0.1/hooks")


def test_every_resolved_address_must_be_public(defaults, dns):
    dns["shop.example"] = ["93.184.215.14"]
    dns["metadata.example"] = ["169.254.169.254"]
    dns["mixed.example"] = ["93.184.215.14", "10.0.0.7"]
    where = destinations.vet("https://shop.example/a?b=1", timeout=1)
    assert (where.host, where.address, where.port, where.path) == (
        "shop.example",
        "93.184.215.14",
        443,
        "/a?b=1",
    )
    for host in ("metadata.example", "mixed.example"):
        with pytest.raises(destinations.Refused, match="private, loopback"):
            destinations.vet(f"https://{host}/", timeout=1)
    with pytest.raises(destinations.Refused, match="cannot resolve nowhere.example"):
        destinations.vet("https://nowhere.example/", timeout=1)
    # A name the operator lists may resolve inside.
    defaults.SEAT_WEBHOOK_ALLOWED_HOSTS = ["metadata.example"]
    assert destinations.vet("https://metadata.example/", timeout=1).address


def test_resolution_is_bounded_by_the_attempts_timeout(defaults, monkeypatch):
    def hangs(*args, **kwargs):
        time.sleep(5)

    monkeypatch.setattr(socket, "getaddrinfo", hangs)
    started = time.monotonic()
    outcome = delivery.post("https://slow.example/", b"{}", {}, timeout=0.3)
    assert time.monotonic() - started < 2
    assert outcome.status_code is None
    assert "took longer than 0.3s" in outcome.error


def test_a_loopback_receiver_is_never_contacted_by_default(defaults, receiver):
    for url in (receiver.url("/hook"), receiver.url("/hook").replace("http", "https")):
        outcome = delivery.post(url, b"{}", {}, timeout=2)
        assert outcome.status_code is None and not outcome.delivered, outcome
    assert receiver.requests == []


def test_the_attempt_connects_to_the_checked_address_with_the_urls_host(
    defaults, dns, receiver
):
    defaults.SEAT_WEBHOOK_ALLOW_HTTP = True
    defaults.SEAT_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    dns["hooks.example"] = ["127.0.0.1"]
    url = f"http://hooks.example:{receiver.port}/hook"
    assert delivery.post(url, b"{}", {}, timeout=2).delivered
    (request,) = receiver.requests
    assert request.headers["host"] == f"hooks.example:{receiver.port}"
    # The same name now resolving to the metadata address gets nothing sent.
    dns["hooks.example"] = ["169.254.169.254"]
    outcome = delivery.post(url, b"{}", {}, timeout=2)
    assert "169.254.169.254" in outcome.error and len(receiver.requests) == 1


@pytest.mark.django_db
def test_the_command_refuses_an_internal_or_plain_http_address(defaults):
    for url in ("https://169.254.169.254/", "http://shop.example/hooks"):
        with pytest.raises(CommandError, match="Webhooks are not sent to"):
            call_command("create_webhook", url, stdout=StringIO())
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_the_admin_refuses_an_internal_address_and_says_why(defaults, admin_client):
    add = reverse("admin:seats_webhookendpoint_add")
    response = admin_client.post(
        add, {"url": "https://169.254.169.254/latest", "enabled": "on"}
    )
    assert response.status_code == 200
    assert "SEAT_WEBHOOK_ALLOWED_HOSTS" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    response = admin_client.post(
        add, {"url": "https://shop.example/hooks", "enabled": "on"}
    )
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().url == "https://shop.example/hooks"
