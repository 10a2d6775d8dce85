"""API keys: who may call which route, and what a key leaves behind in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.keys import create_key, revoke
from api.models import ApiKey, IdempotencyRecord
from seats.models import Booking, Event, Seat
from tests.api.rest import (
    PREFIX,
    READING,
    ROUTES,
    SELLING,
    Api,
    Route,
    openapi,
    problem,
)

pytestmark = pytest.mark.django_db


def _revoked(sell_key) -> str:
    api_key, plain = create_key("gone", ApiKey.Scope.SELL)
    revoke(api_key)
    return f"Bearer {plain}"


def _wrong_secret(sell_key) -> str:
    api_key, plain = sell_key
    return f"Bearer sk_{api_key.prefix}_{'x' * 43}"


# Each way of not being a caller: the Authorization header to send (None:
# none at all).
BAD_CREDENTIALS = {
    "no header": lambda key: None,
    "wrong scheme": lambda key: f"Basic {key[1]}",
    "token scheme": lambda key: f"Token {key[1]}",
    "bearer without key": lambda key: "Bearer ",
    "garbage": lambda key: "Bearer garbage",
    "unknown key": lambda key: "Bearer sk_00000000_" + "A" * 43,
    "right prefix, wrong secret": _wrong_secret,
    "revoked key": _revoked,
}


def version(event_id: int) -> int:
    return Event.objects.values_list("version", flat=True).get(pk=event_id)


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("credentials", BAD_CREDENTIALS.values(), ids=BAD_CREDENTIALS)
def test_no_valid_key_is_401_on_every_route_and_changes_nothing(
    route: Route, credentials, world, sell_key
):
    header = credentials(sell_key)
    before = version(world.event_id)

    response = route.call(
        Api(None),
        world,
        headers={} if header is None else {"Authorization": header},
    )

    document = problem(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer ")
    # The same answer whatever was wrong: nothing to learn about which keys exist.
    assert document["detail"] == "Send a valid API key: Authorization: Bearer <key>."
    assert version(world.event_id) == before


@pytest.mark.parametrize("route", SELLING, ids=str)
def test_a_read_key_is_403_on_every_selling_route(route: Route, world, reader):
    before = version(world.event_id)
    held = list(Seat.objects.filter(hold__token=world.token).values_list("id"))

    response = route.call(reader, world)

    document = problem(response, 403, "forbidden")
    assert "'read'" in document["detail"] and "'sell'" in document["detail"]
    assert version(world.event_id) == before
    assert list(Seat.objects.filter(hold__token=world.token).values_list("id")) == held
    assert not Booking.objects.filter(cancelled_at__isnull=False).exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("route", READING, ids=str)
def test_a_read_key_may_read_everything(route: Route, world, reader):
    assert route.call(reader, world).status_code == 200


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_sell_key_may_do_everything(route: Route, world, shop):
    response = route.call(shop, world)

    assert response.status_code == route.success, response.content


def test_the_route_tables_name_every_route_of_the_document():
    documented = {
        (method.upper(), path.removeprefix(PREFIX))
        for path, operations in openapi()["paths"].items()
        for method in operations
    }
    assert documented == {(r.method, r.template) for r in ROUTES}


def test_only_a_hash_of_the_key_is_stored():
    api_key, plain = create_key("shop", ApiKey.Scope.SELL)
    secret = plain.split("_", 2)[2]

    row = ApiKey.objects.filter(pk=api_key.pk).values().get()

    assert plain.startswith(f"sk_{row['prefix']}_")
    for field, value in row.items():
        assert plain not in str(value), field
        assert secret not in str(value), field
    assert len(row["hashed"]) == 64


def test_using_a_key_sets_last_used_at(sell_key):
    api_key, plain = sell_key
    assert api_key.last_used_at is None
    before = timezone.now()

    assert Api(plain).get("/events").status_code == 200

    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
    assert before <= api_key.last_used_at <= timezone.now()


def test_last_used_at_is_written_at_most_once_a_minute(sell_key):
    api_key, plain = sell_key
    recently = timezone.now() - timedelta(seconds=30)
    long_ago = timezone.now() - timedelta(minutes=5)
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=recently)

    Api(plain).get("/events")
    api_key.refresh_from_db()
    assert api_key.last_used_at == recently

    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=long_ago)
    Api(plain).get("/events")
    api_key.refresh_from_db()
    assert api_key.last_used_at > recently


def test_a_revoked_key_stops_working_at_once(sell_key):
    api_key, plain = sell_key
    shop = Api(plain)
    assert shop.get("/events").status_code == 200

    revoke(api_key)

    problem(shop.get("/events"), 401, "unauthorized")


def test_a_read_key_is_refused_however_the_header_is_written(read_key, event, seat_ids):
    _, plain = read_key
    # No spelling of the header promotes a read key to a sell key.
    for header in (f"Bearer {plain}", f"bearer {plain}", f"BEARER  {plain} "):
        response = Api(None).hold(
            event.id, seat_ids[:1], headers={"Authorization": header}
        )
        problem(response, 403, "forbidden")
    assert version(event.id) == 0
