"""The box office's booking pages: confirmation, tickets, lookup (staff only)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from frontend.tickets import qr_svg
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
    # The site's one date format, in its time zone (UTC in the tests).
    stamp = later(5).strftime("%a %-d %b %Y, %H:%M")
    assert f"cancelled {stamp}, refunded {first.category.price}" in (
        " ".join(items[first.label].split())
    )
    assert 'class="seat-booked"' in items[second.label]
    assert "cancelled" not in items[second.label]
    total = re.search(r"<dt>Total</dt><dd>([^<]+)</dd>", html).group(1)
    assert total == f"{second.category.price:.2f}"
    assert f"{first.category.price:.2f}" in re.search(
        r'confirmation-refunded">([^<]+)<', html
    ).group(1)


def ticket_url(reference: str, seat_id: int) -> str:
    return f"/box-office/bookings/{reference}/tickets/{seat_id}/"


def test_the_confirmation_links_a_ticket_per_booked_seat_only(
    staff_client, sold, seat_ids
):
    html = staff_client.get(f"/box-office/bookings/{sold.reference}/").content.decode()
    links = re.findall(r'class="ticket-link no-print" href="([^"]+)"', html)
    assert links == [ticket_url(sold.reference, seat_ids[1])]


def test_a_ticket_names_the_event_the_seat_and_the_buyer(
    staff_client, event, sold, seat_ids
):
    seat = Seat.objects.select_related("category").get(pk=seat_ids[1])
    response = staff_client.get(ticket_url(sold.reference, seat.id))
    assert response.status_code == 200
    html = response.content.decode()
    for css, text in [
        ("ticket-event", event.name),
        ("seat-label", seat.label),
        ("ticket-row", seat.row),
        ("ticket-number", str(seat.number)),
        ("ticket-reference", sold.reference),
        ("ticket-buyer", "Grace Hopper"),
    ]:
        assert re.search(rf'class="{css}">{re.escape(text)}<', html), css
    assert seat.category.name in html
    assert event.starts_at.strftime("%Y") in html
    code = f"{sold.reference}/{seat.id}"
    assert f'data-code="{code}"' in html
    assert 'class="ticket-qr"' in html


def test_the_qr_code_is_the_reference_and_seat(staff_client, sold, seat_ids):
    """The page's SVG draws exactly segno's symbol for `<reference>/<seat id>`."""
    html = staff_client.get(ticket_url(sold.reference, seat_ids[1])).content.decode()
    drawn = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert drawn == qr_svg(f"{sold.reference}/{seat_ids[1]}")
    assert drawn != qr_svg(f"{sold.reference}/{seat_ids[0]}")


def test_a_cancelled_seat_or_a_stranger_has_no_ticket(staff_client, sold, seat_ids):
    assert staff_client.get(ticket_url(sold.reference, seat_ids[0])).status_code == 404
    assert staff_client.get(ticket_url(sold.reference, seat_ids[2])).status_code == 404
    assert staff_client.get(ticket_url("BK-NOPE2345", seat_ids[1])).status_code == 404


def test_tickets_are_for_staff_like_the_confirmation(sold, seat_ids):
    url = ticket_url(sold.reference, seat_ids[1])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    visitor = Client()
    visitor.force_login(get_user_model().objects.create_user("joe", password="pw"))
    assert visitor.get(url).status_code == 302


def test_staff_find_a_booking_by_reference_or_buyer_name(staff_client, sold):
    for query in (sold.reference, sold.reference.lower()[3:], "grace", "HOPPER"):
        html = staff_client.get("/box-office/bookings/", {"q": query}).content.decode()
        rows = re.findall(r'<tr class="lookup-row">.*?</tr>', html, re.S)
        assert len(rows) == 1, query
        assert f'href="/box-office/bookings/{sold.reference}/"' in rows[0]
        assert "Grace Hopper" in rows[0]
    html = staff_client.get("/box-office/bookings/", {"q": "nobody"}).content.decode()
    assert "lookup-row" not in html and "No booking matches" in html
    empty = staff_client.get("/box-office/bookings/").content.decode()
    assert "lookup-row" not in empty and "No booking matches" not in empty


def test_the_lookup_is_for_staff_only(sold):
    url = f"/box-office/bookings/?q={sold.reference}"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    visitor = Client()
    visitor.force_login(get_user_model().objects.create_user("joe", password="pw"))
    answer = visitor.get(url)
    assert answer.status_code == 302
    assert sold.reference not in answer.content.decode()
