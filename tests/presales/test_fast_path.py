"""PostgreSQL's one-call paths never grant a kept seat: the click
functions decline (the long way decides, knowing who unlocked what), even
when called directly, past the services' own checks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seats import services
from seats.models import Seat
from seats.services import one_call
from seats.services.locking import read_seats
from tests.conftest import T0, ids_of
from tests.seats.test_services import everything

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_click_function_declines_a_kept_seat(event, presale):
    before = everything()
    assert one_call.hold_click(event.id, "h_public", ids_of(event, "A5"), T0) is None
    assert everything() == before


def test_the_take_function_declines_a_kept_seat_under_its_lock(event, presale):
    """Even given a read that says the seat is free and kept by nobody (a
    seat kept between the read and the call), the function takes nothing."""
    seats = read_seats(event.id, ids_of(event, "A5"))
    for seat in seats:
        seat.channel_id = None  # the stale read
    before = everything()
    assert one_call.take_free(event.id, "h_public", seats, T0) is None
    assert everything() == before


def test_a_kept_seat_goes_the_long_way_for_its_channel_and_others_stay_fast(
    event, presale
):
    with CaptureQueriesContext(connection) as captured:
        services.hold_seats(
            event_id=event.id,
            holder="h_member",
            seat_ids=ids_of(event, "A5"),
            now=T0,
            channels=[presale.pk],
        )
    assert any("FOR UPDATE" in q["sql"] for q in captured.captured_queries)
    assert Seat.objects.get(pk=ids_of(event, "A5")[0]).holder == "h_member"
    with CaptureQueriesContext(connection) as captured:
        services.hold_seats(
            event_id=event.id, holder="h_public", seat_ids=ids_of(event, "B1"), now=T0
        )
    sent = [q["sql"] for q in captured.captured_queries]
    assert any(sql.startswith("SELECT * FROM seats_click_hold") for sql in sent)
    assert not any("FOR UPDATE" in sql for sql in sent)
