"""The header's link to the dashboard: on every page, for active staff only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LINK = 'id="staff-dashboard-link"'


def pages(event) -> list[str]:
    return [reverse("event-list"), reverse("seat-map", args=[event.id])]


def client_for(**flags) -> Client:
    user = get_user_model().objects.create_user(
        "someone", password="pw-123456", **flags
    )
    client = Client()
    client.force_login(user)
    return client


def test_staff_get_the_link_on_every_page(event):
    client = client_for(is_staff=True)
    for url in [*pages(event), reverse("dashboard")]:
        page = client.get(url).content.decode()
        assert LINK in page, url
        assert f'href="{reverse("dashboard")}"' in page


def test_visitors_get_no_link(event):
    client = client_for(is_staff=False)
    for url in pages(event):
        assert LINK not in client.get(url).content.decode(), url


def test_anonymous_get_no_link(event):
    for url in pages(event):
        assert LINK not in Client().get(url).content.decode(), url
