"""Standing areas on the wire: frames and layout match docs/asyncapi.yaml."""

from __future__ import annotations

import pytest

from seats import layouts, selectors, services
from seats.services.places import Places
from tests.conftest import later
from tests.contracts.asyncapi import check_document, check_server_frame
from tests.standing import FLOOR, club_event, place_ids
from wire import frames

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(hold_settings):
    return club_event(capacity=12)


def test_places_and_their_area_are_in_the_snapshot(club):
    held = services.hold_seats(
        event_id=club.id,
        holder="me",
        seat_ids=[],
        places=[Places(FLOOR, 3)],
        now=later(0),
    )
    frame = frames.snapshot(
        selectors.seat_map(event_id=club.id, viewer="me", now=later(1))
    )

    check_server_frame(frame)
    places = [s for s in frame["seats"] if s.get("area") == FLOOR]
    assert len(places) == 12
    assert sum(s["status"] == "held" for s in places) == 3
    assert "area" not in next(s for s in frame["seats"] if s["section"] == "Balcony")
    (area,) = frame["plan"]["standing"]
    assert area["key"] == FLOOR and area["capacity"] == 12
    assert area["name"] == "Floor" and area["category"] == "standing"
    assert area["outline"]["shape"] == "rectangle"
    check_server_frame(frames.hold_ok(held, "r1"))


def test_the_layout_document_names_each_place_area(club):
    layout = layouts.layout(club.id)
    document = frames.layout_document(layout)

    check_document("LayoutDocument", document)
    ids = [s["id"] for s in document["seats"] if s.get("area") == FLOOR]
    assert ids == place_ids(club)
    assert document["plan"]["standing"][0]["key"] == FLOOR


def test_a_plan_without_standing_areas_sends_no_standing_field(event):
    frame = frames.snapshot(
        selectors.seat_map(event_id=event.id, viewer=None, now=later(0))
    )

    assert "standing" not in frame["plan"]
    assert all("area" not in s for s in frame["seats"])
