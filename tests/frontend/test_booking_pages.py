"""The box office's booking pages: confirmation, tickets, lookup (staff only)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from seats.models import Seat
from seats.services import staff
from tests.conftest import later

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client) -> Client:
    user = get_user_model().objects.create_user("ann", password="pw", is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture
def sold(event, seat_ids):
    """Two seats sold at the box office; the first cancelled 5 s later."""
    result = staff.sell_at_box_office(
        event_id=event.id,
        seat_ids=seat_ids[:2],
        customer_name="Grace Hopper",
        staff="ann",
        now=later(0),
    )
    staff.cancel_seats(
        event_id=event.id, seat_ids=seat_ids[:1], staff="ann", now=later(5)
    )
    return result


def seat_items(html: str) -> dict[str, str]:
    """Seat label -> its confirmation list item."""
    items = re.findall(r'<li class="seat-[a-z]+".*?</li>', html, re.S)
    return {re.search(r'seat-label">([^<]+)<', i).group(1): i for i in items}


def test_the_confirmation_shows_a_cancelled_seat_as_cancelled(
    staff_client, sold, seat_ids
):
    page = staff_client.get(f"/box-office/bookings/{sold.reference}/")
    html = page.content.decode()
    first, second = Seat.objects.select_related("category").filter(pk__in=seat_ids[:2])
    items = seat_items(html)
    assert set(items) == {first.label, second.label}
    assert 'class="seat-cancelled"' in items[first.label]
    stamp = later(5).strftime("%Y-%m-%d %H:%M")
    assert f"cancelled {stamp} UTC, refunded {first.category.price}" in (
        " ".join(items[first.label].split())
    )
    assert 'class="seat-booked"' in items[second.label]
    assert "cancelled" not in items[second.label]
    total = re.search(r"<dt>Total</dt><dd>([^<]+)</dd>", html).group(1)
    assert total == f"{second.category.price:.2f}"
    assert f"{first.category.price:.2f}" in re.search(
        r'confirmation-refunded">([^<]+)<', html
    ).group(1)
