"""The REST API lists a hold's and a booking's seats in plan order: rows
front to back, seats by number ("2" before "10"), whatever their ids."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from seats import services
from seats.models import Event, Seat
from seats.services.seating import NewCategory, PlacedSeat, create_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def curved_hall(hold_settings) -> Event:
    """Row B made before row A (lower ids) though behind it; each row's seats
    made from 12 down to 1, on an arc whose ends are nearest the front."""
    seats = [
        PlacedSeat(
            key=f"{row}{n}",
            section="Stalls",
            row=row,
            number=n,
            label=f"{row}{n}",
            x=n * 10.0,
            y=depth - abs(n - 6.5) * 3,
            run=f"Stalls/{row}",
            run_position=n - 1,
            category="std",
        )
        for row, depth in (("B", 60.0), ("A", 30.0))
        for n in range(12, 0, -1)
    ]
    return create_event(
        name="Curved",
        starts_at=timezone.now() + timedelta(days=1),
        categories=[NewCategory("std", "Standard", Decimal("20.00"))],
        seats=seats,
        avoid_single_seats=False,
    )


def ids_of(event: Event, *labels: str) -> list[int]:
    by_label = dict(Seat.objects.filter(event=event).values_list("label", "id"))
    return [by_label[label] for label in labels]


PICKED = ("B2", "A10", "B1", "A2", "A9")
IN_PLAN_ORDER = ["A2", "A9", "A10", "B1", "B2"]


def test_a_holds_seats_come_in_plan_order(shop, curved_hall):
    response = shop.hold(curved_hall.id, ids_of(curved_hall, *PICKED))
    assert response.status_code == 201, response.content
    assert [s["label"] for s in response.json()["seats"]] == IN_PLAN_ORDER
    read = shop.get("/holds/{token}", token=response.json()["token"])
    assert [s["label"] for s in read.json()["seats"]] == IN_PLAN_ORDER


def test_a_bookings_seats_come_in_plan_order(shop, curved_hall):
    token = shop.hold_token(curved_hall.id, ids_of(curved_hall, *PICKED))
    booked = shop.book(token)
    assert booked.status_code == 201, booked.content
    assert [s["label"] for s in booked.json()["seats"]] == IN_PLAN_ORDER
    reference = booked.json()["reference"]
    read = shop.get("/bookings/{reference}", reference=reference)
    assert [s["label"] for s in read.json()["seats"]] == IN_PLAN_ORDER
    cancelled = shop.post("/bookings/{reference}/cancel", reference=reference)
    assert [s["label"] for s in cancelled.json()["seats"]] == IN_PLAN_ORDER


def test_the_booking_confirmation_lists_seats_in_plan_order(client, curved_hall):
    ids = ids_of(curved_hall, *PICKED)
    services.hold_seats(event_id=curved_hall.id, holder="box", seat_ids=ids)
    booking = services.book_seats(event_id=curved_hall.id, holder="box", seat_ids=ids)
    staff = get_user_model().objects.create_user("sam", password="pw", is_staff=True)
    client.force_login(staff)
    url = reverse("box-office-confirmation", args=[booking.reference])
    page = client.get(url).content.decode()
    listed = re.findall(r'<span class="seat-label">([^<]+)</span>', page)
    assert listed == IN_PLAN_ORDER
