"""The admin's staff actions: block and unblock seats, cancel bookings; each
asks on a confirmation page first and goes through the services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from seats import services
from seats.models import Activity, Seat
from seats.services import staff

pytestmark = pytest.mark.django_db

SEATS = "/admin/seats/seat/"


@pytest.fixture
def admin(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    return client


def test_block_asks_for_a_reason_then_blocks_and_unblock_puts_back(
    admin, event, seat_ids
):
    chosen = {"action": "block_seats", "_selected_action": seat_ids[:2]}
    asked = admin.post(SEATS, chosen)
    assert asked.status_code == 200 and b"Block these seats?" in asked.content
    assert not Seat.objects.filter(blocked=True).exists()

    no_reason = admin.post(SEATS, chosen | {"apply": "1", "reason": ""})
    assert no_reason.status_code == 200  # the page again, with the error
    assert not Seat.objects.filter(blocked=True).exists()

    done = admin.post(SEATS, chosen | {"apply": "1", "reason": "press"})
    assert done.status_code == 302
    assert set(Seat.objects.filter(blocked=True).values_list("id", flat=True)) == set(
        seat_ids[:2]
    )
    assert set(
        Activity.objects.filter(kind="blocked").values_list("staff", "note")
    ) == {("boss", "press")}

    unchosen = {"action": "unblock_seats", "_selected_action": seat_ids[:2]}
    assert admin.post(SEATS, unchosen).status_code == 200
    assert admin.post(SEATS, unchosen | {"apply": "1"}).status_code == 302
    assert not Seat.objects.filter(blocked=True).exists()


def test_blocking_a_held_seat_in_the_admin_warns_unless_holds_are_released(
    admin, event, seat_ids
):
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=seat_ids[:1])
    chosen = {"action": "block_seats", "_selected_action": seat_ids[:1], "apply": "1"}
    warned = admin.post(SEATS, chosen | {"reason": "house"}, follow=True)
    assert b"Held by a customer" in warned.content
    assert not Seat.objects.filter(blocked=True).exists()
    admin.post(SEATS, chosen | {"reason": "house", "release_holds": "on"})
    seat = Seat.objects.get(pk=seat_ids[0])
    assert seat.blocked and seat.holder == ""


def test_people_who_are_not_staff_cannot_block(event, seat_ids):
    client = Client()
    client.force_login(User.objects.create_user("cus", password="pw"))
    chosen = {"action": "block_seats", "_selected_action": seat_ids[:1], "apply": "1"}
    response = client.post(SEATS, chosen | {"reason": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Seat.objects.filter(blocked=True).exists()


def test_a_booking_shows_every_seat_it_sold_and_events_their_buyer_setting(
    admin, event, seat_ids
):
    sold = staff.sell_at_box_office(
        event_id=event.id, seat_ids=seat_ids[:2], customer_name="Y", staff="ann"
    )
    staff.cancel_seats(event_id=event.id, seat_ids=seat_ids[:1], staff="ann")
    page = admin.get(f"/admin/seats/booking/{sold.booking.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    labels = Seat.objects.filter(pk__in=seat_ids[:2]).values_list("label", flat=True)
    for label in labels:
        assert label in html
    assert "Booked seats" in html
    form = admin.get(f"/admin/seats/event/{event.pk}/change/").content.decode()
    assert 'name="buyer_details"' in form
