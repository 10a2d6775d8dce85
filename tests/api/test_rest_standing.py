"""Standing places through the REST API: availability, holds by quantity, booking."""

from __future__ import annotations

import pytest

from seats.models import Seat
from tests.api.rest import problem
from tests.standing import FLOOR, club_event, seat_ids_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(hold_settings):
    return club_event(capacity=12)


def places(quantity: int, area: str = FLOOR) -> list[dict]:
    return [{"area": area, "quantity": quantity}]


def floor_counts(reader, club) -> dict:
    response = reader.get("/events/{event_id}", event_id=club.id)
    assert response.status_code == 200
    (floor,) = response.json()["standing"]
    return floor


def test_an_event_lists_its_standing_areas_with_their_places(reader, club):
    assert floor_counts(reader, club) == {
        "key": FLOOR,
        "name": "Floor",
        "category": "standing",
        "capacity": 12,
        "available": 12,
        "held": 0,
        "booked": 0,
        "blocked": 0,
        "kept": 0,
    }


def test_a_shop_holds_places_and_a_seat_together_and_books_them(shop, reader, club):
    seat = seat_ids_of(club)[0]

    response = shop.post(
        "/events/{event_id}/holds",
        {"seat_ids": [seat], "places": places(3)},
        event_id=club.id,
    )

    assert response.status_code == 201, response.content
    hold = response.json()
    areas = [s["area"] for s in hold["seats"]]
    assert areas.count(FLOOR) == 3 and areas.count(None) == 1
    assert all(s["price"] == "25.00" for s in hold["seats"] if s["area"])
    assert floor_counts(reader, club)["held"] == 3

    more = shop.post("/holds/{token}/seats", {"places": places(2)}, token=hold["token"])
    assert more.status_code == 200, more.content
    assert len(more.json()["seats"]) == 6

    booked = shop.book(hold["token"])
    assert booked.status_code == 201, booked.content
    counts = floor_counts(reader, club)
    assert (counts["available"], counts["held"], counts["booked"]) == (7, 0, 5)


def test_more_places_than_are_left_is_a_conflict_and_changes_nothing(shop, club):
    shop.post("/events/{event_id}/holds", {"places": places(10)}, event_id=club.id)

    response = shop.post(
        "/events/{event_id}/holds", {"places": places(3)}, event_id=club.id
    )

    document = problem(response, 409, "not_enough_places")
    assert "Only 2 places are left in Floor" in document["detail"]
    assert Seat.objects.filter(event=club, area=FLOOR).exclude(holder="").count() == 10


@pytest.mark.parametrize(
    "body",
    [
        {"places": []},
        {"places": [{"area": FLOOR, "quantity": 0}]},
        {"places": [{"area": FLOOR}]},
        {"places": [{"area": "", "quantity": 1}]},
        {"places": [{"area": FLOOR, "quantity": 1}, {"area": FLOOR, "quantity": 1}]},
        {"places": places(1), "best": {"count": 1}},
    ],
)
def test_a_malformed_places_body_is_refused(shop, club, body):
    response = shop.post("/events/{event_id}/holds", body, event_id=club.id)

    assert response.status_code == 422, response.content
    assert not Seat.objects.filter(event=club).exclude(holder="").exists()


def test_an_unknown_area_is_a_bad_request(shop, club):
    response = shop.post(
        "/events/{event_id}/holds", {"places": places(1, "pit")}, event_id=club.id
    )

    assert response.status_code == 422, response.content
    assert "no standing area 'pit'" in response.json()["detail"]
