"""The hand-off to the shop (POST /events/<id>/checkout) and the dashboard's webhooks.

Django's test client against the views; the database is the truth about
holds, so a hold past its time is over whether or not a sweeper ran.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frontend.views import HOLD_ENDED_TEXT, NO_CHECKOUT_TEXT
from seats import services
from seats.holders import SESSION_KEY
from seats.models import Hold, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

SHOP = "https://shop.example/checkout?lang=de&campaign=spring"


@pytest.fixture
def shop_event(event):
    event.checkout_url = SHOP
    event.save(update_fields=["checkout_url"])
    return event


def map_url(event) -> str:
    return reverse("seat-map", args=[event.id])


def checkout_url(event) -> str:
    return reverse("checkout", args=[event.id])


def visit_map(client: Client, event) -> str:
    """Open the map as a browser does; the session's holder id."""
    assert client.get(map_url(event)).status_code == 200
    return client.session[SESSION_KEY]


def hold(event, holder: str, seat_ids: list[int], *, ago: float = 0) -> Hold:
    """A hold taken `ago` seconds back (300 s holds: 600 means it has ended)."""
    now = timezone.now() - timedelta(seconds=ago)
    services.hold_seats(event_id=event.id, holder=holder, seat_ids=seat_ids, now=now)
    return Hold.objects.get(event=event, holder=holder)


def query_of(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def notices(client: Client, event) -> list[str]:
    """The notices the map shows on the next visit (Django messages)."""
    html = client.get(map_url(event)).content.decode()
    return re.findall(r'<p class="notice"[^>]*>([^<]*)</p>', html)


def test_a_running_hold_goes_to_the_shop_with_its_token(client, shop_event, seat_ids):
    holder = visit_map(client, shop_event)
    running = hold(shop_event, holder, seat_ids[:2])

    response = client.post(checkout_url(shop_event))

    assert response.status_code == 303
    location = response["Location"]
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "shop.example",
        "/checkout",
    )
    assert query_of(location) == {
        "lang": ["de"],
        "campaign": ["spring"],
        "hold_token": [running.token],
        "event_id": [str(shop_event.id)],
    }
    # A redirect carrying a capability is never kept by a cache.
    assert "no-store" in response["Cache-Control"]
    assert notices(client, shop_event) == []


def test_the_token_is_on_no_page_of_ours(client, shop_event, seat_ids):
    holder = visit_map(client, shop_event)
    running = hold(shop_event, holder, seat_ids[:1])

    page = client.get(map_url(shop_event)).content.decode()

    assert running.token not in page
    assert 'id="checkout-button"' in page


def test_our_parameters_replace_stale_ones_in_the_shop_url(
    client, shop_event, seat_ids
):
    shop_event.checkout_url = "http://127.0.0.1:8100/checkout?hold_token=old&x=1#pay"
    shop_event.save(update_fields=["checkout_url"])
    holder = visit_map(client, shop_event)
    running = hold(shop_event, holder, seat_ids[:1])

    location = client.post(checkout_url(shop_event))["Location"]

    assert query_of(location) == {
        "x": ["1"],
        "hold_token": [running.token],
        "event_id": [str(shop_event.id)],
    }
    assert location.startswith("http://127.0.0.1:8100/checkout?")
    assert location.endswith("#pay")


def test_no_hold_goes_back_to_the_map_with_a_notice(client, shop_event):
    visit_map(client, shop_event)

    response = client.post(checkout_url(shop_event))

    assert response.status_code == 303
    assert response["Location"] == map_url(shop_event)
    assert notices(client, shop_event) == [HOLD_ENDED_TEXT]
    assert notices(client, shop_event) == []  # shown once


def test_a_session_that_never_saw_the_map_goes_back_to_it(client, shop_event):
    response = client.post(checkout_url(shop_event))

    assert response.status_code == 303
    assert response["Location"] == map_url(shop_event)


def test_an_expired_hold_is_not_handed_over(client, shop_event, seat_ids):
    """Past its time but not swept: the row is still there, and still refused."""
    holder = visit_map(client, shop_event)
    lapsed = hold(shop_event, holder, seat_ids[:2], ago=600)
    assert Hold.objects.filter(pk=lapsed.pk).exists()

    response = client.post(checkout_url(shop_event))

    assert response.status_code == 303
    assert response["Location"] == map_url(shop_event)
    assert lapsed.token not in response["Location"]
    assert notices(client, shop_event) == [HOLD_ENDED_TEXT]


def test_a_hold_whose_seats_are_all_booked_is_not_handed_over(
    client, shop_event, seat_ids
):
    holder = visit_map(client, shop_event)
    hold(shop_event, holder, seat_ids[:2])
    services.book_seats(event_id=shop_event.id, holder=holder, seat_ids=seat_ids[:2])

    response = client.post(checkout_url(shop_event))

    assert response["Location"] == map_url(shop_event)
    assert notices(client, shop_event) == [HOLD_ENDED_TEXT]


def test_a_running_hold_row_without_seats_is_not_handed_over(client, shop_event):
    """Only seats make a hold worth paying for; an empty row may linger."""
    holder = visit_map(client, shop_event)
    now = timezone.now()
    empty = Hold.objects.create(
        token="t" * 32,
        event=shop_event,
        holder=holder,
        created_at=now,
        expires_at=now + timedelta(minutes=5),
        max_expires_at=now + timedelta(minutes=15),
    )

    response = client.post(checkout_url(shop_event))

    assert response["Location"] == map_url(shop_event)
    assert empty.token not in response["Location"]


def test_another_sessions_hold_is_never_handed_over(shop_event, seat_ids):
    alice, bob = Client(), Client()
    alices_hold = hold(shop_event, visit_map(alice, shop_event), seat_ids[:2])
    visit_map(bob, shop_event)

    response = bob.post(checkout_url(shop_event))

    assert response.status_code == 303
    assert response["Location"] == map_url(shop_event)
    assert alices_hold.token not in response["Location"]
    assert notices(bob, shop_event) == [HOLD_ENDED_TEXT]
    # Alice herself still gets hers.
    assert alices_hold.token in alice.post(checkout_url(shop_event))["Location"]


def test_a_hold_on_another_event_is_not_handed_over(client, shop_event, make_event):
    other = make_event(name="Other Night")
    holder = visit_map(client, shop_event)
    other_seat = other.seats.order_by("pk").first()
    hold(other, holder, [other_seat.id])

    response = client.post(checkout_url(shop_event))

    assert response["Location"] == map_url(shop_event)


def test_an_event_without_a_checkout_url_has_no_button_and_no_hand_off(
    client, event, seat_ids
):
    holder = visit_map(client, event)
    running = hold(event, holder, seat_ids[:1])

    page = client.get(map_url(event)).content.decode()
    response = client.post(checkout_url(event))

    assert "checkout-button" not in page and "Continue to checkout" not in page
    assert 'id="book-button"' in page
    assert response.status_code == 303
    assert response["Location"] == map_url(event)
    assert running.token not in response["Location"]
    assert notices(client, event) == [NO_CHECKOUT_TEXT]


def test_the_map_of_a_shop_event_has_the_checkout_form(client, shop_event):
    page = client.get(map_url(shop_event)).content.decode()

    form = re.search(r'<form id="checkout-form"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    assert 'method="post"' in form.group(0)
    assert f'action="{checkout_url(shop_event)}"' in form.group(0)
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    button = re.search(
        r'<button type="submit" id="checkout-button"[^>]*>([^<]*)<', form.group(1)
    )
    assert button is not None and button.group(1) == "Continue to checkout"
    # The shop takes the payment: the map offers no booking of its own.
    assert 'id="book-button"' not in page


def test_unknown_event_is_404(client, db):
    assert client.post(reverse("checkout", args=[9999])).status_code == 404


def test_get_is_not_allowed(client, shop_event, seat_ids):
    holder = visit_map(client, shop_event)
    running = hold(shop_event, holder, seat_ids[:1])

    response = client.get(checkout_url(shop_event))

    assert response.status_code == 405
    assert running.token not in response.content.decode()


def test_csrf_is_enforced(shop_event, seat_ids):
    browser = Client(enforce_csrf_checks=True)
    holder = visit_map(browser, shop_event)
    running = hold(shop_event, holder, seat_ids[:1])

    forged = browser.post(checkout_url(shop_event))

    assert forged.status_code == 403
    assert running.token not in forged.content.decode()

    page = browser.get(map_url(shop_event)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    genuine = browser.post(checkout_url(shop_event), {"csrfmiddlewaretoken": token})

    assert genuine.status_code == 303
    assert query_of(genuine["Location"])["hold_token"] == [running.token]


# The dashboard's webhooks panel


def endpoint(**fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(**fields)


def delivery(target: WebhookEndpoint, status: str) -> WebhookDelivery:
    now = timezone.now()
    return WebhookDelivery.objects.create(
        endpoint=target,
        event_type="seats.held",
        event_id=1,
        version=1,
        payload={},
        created_at=now,
        next_attempt_at=now,
        status=status,
    )


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(user)
    return client


def webhook_rows(html: str) -> dict[str, str]:
    """Endpoint id -> its table row's HTML."""
    pattern = r'<tr class="webhook-row[^"]*" data-endpoint-id="(\d+)".*?</tr>'
    return {m.group(1): m.group(0) for m in re.finditer(pattern, html, re.S)}


def test_dashboard_lists_endpoints_and_flags_the_disabled_one(staff_client):
    failing = timezone.now() - timedelta(hours=30)
    broken = endpoint(
        url="https://shop.example/hooks/broken",
        enabled=False,
        disabled_reason="Failed for 24 hours",
        failing_since=failing,
    )
    fine = endpoint(url="https://shop.example/hooks/fine", description="Main shop")
    for status in ("pending", "pending", "pending", "delivered", "failed"):
        delivery(broken, status)
    delivery(fine, "delivered")

    html = staff_client.get(reverse("dashboard")).content.decode()
    rows = webhook_rows(html)

    assert set(rows) == {str(broken.id), str(fine.id)}
    bad, good = rows[str(broken.id)], rows[str(fine.id)]
    assert "is-disabled" in bad and "is-disabled" not in good
    assert "https://shop.example/hooks/broken" in bad
    assert "Disabled: Failed for 24 hours" in bad
    assert failing.strftime("%Y-%m-%d") in bad
    assert re.search(r'class="num webhook-pending">3<', bad)
    assert "Enabled" in good and "Main shop" in good
    assert re.search(r'class="num webhook-pending">0<', good)
    # Disabled endpoints come first: they are what needs attention.
    assert html.index(f'data-endpoint-id="{broken.id}"') < html.index(
        f'data-endpoint-id="{fine.id}"'
    )
    assert 'id="no-webhooks"' not in html


def test_dashboard_links_each_endpoint_to_its_admin_page(staff_client, admin_client):
    target = endpoint(url="https://shop.example/hooks")

    html = staff_client.get(reverse("dashboard")).content.decode()

    link = reverse("admin:seats_webhookendpoint_change", args=[target.id])
    assert f'href="{link}"' in webhook_rows(html)[str(target.id)]
    assert admin_client.get(link).status_code == 200


def test_dashboard_without_endpoints_says_so(staff_client):
    html = staff_client.get(reverse("dashboard")).content.decode()

    assert 'id="no-webhooks"' in html
    assert 'id="webhook-endpoints"' not in html


def test_dashboard_is_staff_only(client):
    endpoint(url="https://shop.example/hooks/secret", enabled=False)

    anonymous = client.get(reverse("dashboard"))
    user = get_user_model().objects.create_user("buyer", password="pw")
    client.force_login(user)
    not_staff = client.get(reverse("dashboard"))

    for response in (anonymous, not_staff):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        assert b"shop.example" not in response.content


def test_the_checkout_url_is_editable_in_the_admin(client, shop_event):
    admin_user = get_user_model().objects.create_superuser("boss", password="pw")
    client.force_login(admin_user)

    page = client.get(
        reverse("admin:seats_event_change", args=[shop_event.id])
    ).content.decode()

    field = re.search(r'<input[^>]*name="checkout_url"[^>]*>', page)
    assert field is not None, "no checkout_url input on the event's admin page"
    assert "readonly" not in field.group(0) and "disabled" not in field.group(0)
    assert SHOP.replace("&", "&amp;") in field.group(0)


def test_the_shops_own_query_is_kept_exactly_as_written():
    from frontend.views import with_query

    url = "https://shop.example/pay?a=1&b&c=x%20y&hold_token=stale#top"
    assert (
        with_query(url, hold_token="T", event_id="3")
        == "https://shop.example/pay?a=1&b&c=x%20y&hold_token=T&event_id=3#top"
    )
    assert with_query("https://shop.example/pay", hold_token="T", event_id="3") == (
        "https://shop.example/pay?hold_token=T&event_id=3"
    )
