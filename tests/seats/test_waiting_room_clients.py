"""A waiting-room place belongs to a person, as far as the server can tell:
one client (address) holds at most SEAT_QUEUE_PLACES_PER_CLIENT places that
are waiting or admitted, however many sessions it makes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seats.errors import TooManyPlaces
from seats.waiting import services as waiting
from seats.waiting.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(event, settings):
    settings.SEAT_QUEUE_PLACES_PER_CLIENT = 3
    opens = event.starts_at - timedelta(days=1)
    return waiting.configure(
        event_id=event.id, enabled=True, opens_at=opens, rate_per_minute=60
    )


def early(room):
    return room.opens_at - timedelta(minutes=30)


def test_one_client_gets_its_limit_of_places_and_no_more(event, room):
    for i in range(3):
        waiting.join(event_id=event.id, holder=f"s{i}", client="home", now=early(room))
    with pytest.raises(TooManyPlaces):
        waiting.join(event_id=event.id, holder="s3", client="home", now=early(room))
    assert not Place.objects.filter(holder="s3").exists()
    # Another client, and sessions with no client key (exempt), are not held up.
    waiting.join(event_id=event.id, holder="n1", client="neighbour", now=early(room))
    waiting.join(event_id=event.id, holder="x1", client="", now=early(room))
    # A session that has a place keeps it: reloads and rejoins are free.
    again = waiting.join(event_id=event.id, holder="s1", client="home", now=early(room))
    assert again.holder == "s1"


def test_a_place_given_up_frees_room_for_another_session(event, room):
    for i in range(3):
        waiting.join(event_id=event.id, holder=f"s{i}", client="home", now=early(room))
    assert waiting.leave(event_id=event.id, holder="s0")
    waiting.join(event_id=event.id, holder="s3", client="home", now=early(room))
    # The one who left cannot come back now that the client is full again:
    # not even to the early draw they had.
    with pytest.raises(TooManyPlaces):
        waiting.join(event_id=event.id, holder="s0", client="home", now=early(room))


def test_zero_turns_the_bound_off(event, room, settings):
    settings.SEAT_QUEUE_PLACES_PER_CLIENT = 0
    for i in range(10):
        waiting.join(event_id=event.id, holder=f"s{i}", client="home", now=early(room))
    assert Place.objects.filter(client="home").count() == 10
