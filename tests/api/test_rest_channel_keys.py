"""API keys of a sales channel: a partner's holds may take the seats the
channel keeps; every other key sells only what is on general sale."""

from __future__ import annotations

import pytest

from api.keys import create_key
from api.models import ApiKey
from seats.models import Seat
from tests.api.rest import Api, problem
from tests.conftest import ids_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(presale) -> Api:
    _, plain = create_key("partner", ApiKey.Scope.SELL, channel_id=presale.pk)
    return Api(plain)


def test_a_shop_key_cannot_hold_a_kept_seat(shop, event, presale):
    a5 = ids_of(event, "A5")
    document = problem(shop.hold(event.id, a5), 409, "seats_unavailable")
    assert "not on sale" in document["detail"]
    assert not Seat.objects.filter(id__in=a5, hold__isnull=False).exists()


def test_the_channel_key_holds_kept_seats_and_grows_its_hold(partner, event, presale):
    response = partner.hold(event.id, ids_of(event, "A5"))
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    grown = partner.post(
        "/holds/{token}/seats", {"seat_ids": ids_of(event, "A4")}, token=token
    )
    assert grown.status_code == 200, grown.content
    assert sorted(s["label"] for s in grown.json()["seats"]) == ["A4", "A5"]
    best = partner.post(
        "/events/{event_id}/holds", {"best": {"count": 2}}, event_id=event.id
    )
    assert best.status_code == 201, best.content
    assert {s["label"][0] for s in best.json()["seats"]} == {"A"}


def test_a_shop_adding_to_a_partner_hold_has_only_its_own_access(
    partner, shop, event, presale
):
    token = partner.hold_token(event.id, ids_of(event, "A5"))
    refused = shop.post(
        "/holds/{token}/seats", {"seat_ids": ids_of(event, "A3")}, token=token
    )
    problem(refused, 409, "seats_unavailable")
