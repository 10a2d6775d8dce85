"""Hold tokens: checked again under the hold's lock, so a dead one acts on nothing.

The token is looked up before the service locks anything; between the two,
the hold may end and its holder (a browser session) start another. Each
service given the old token must then refuse, whatever it was asked to do.
"""

from __future__ import annotations

import pytest

from seats import services
from seats.errors import HoldNotFound
from seats.models import Hold, Seat
from seats.services import tokens
from tests.conftest import later

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_and_new(event, seat_ids):
    """alice's first hold (token `old`) lapsed; she holds again (token `new`)."""
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(0)
    )
    old = Hold.objects.get(holder="alice").token
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[1:3], now=later(1000)
    )
    new = Hold.objects.get(holder="alice").token
    assert old != new
    return old, new


def call_with(token, event, seat_ids, what):
    at = later(1001)
    common = {"event_id": event.id, "holder": "alice", "now": at, "hold_token": token}
    if what == "add":
        return services.hold_seats(seat_ids=seat_ids[3:4], **common)
    if what == "best":
        return services.hold_best(count=1, **common)
    if what == "extend":
        return services.extend_hold(**common)
    if what == "release":
        return services.release_seats(seat_ids=seat_ids[1:2], **common)
    if what == "release_all":
        return services.release_all(**common)
    return services.book_seats(seat_ids=seat_ids[1:3], **common)


WHAT = ["add", "best", "extend", "release", "release_all", "book"]


@pytest.mark.parametrize("what", WHAT)
def test_a_dead_token_acts_on_nothing(old_and_new, event, seat_ids, what):
    old, new = old_and_new
    before = list(Seat.objects.order_by("pk").values_list("hold_id", "held_until"))
    with pytest.raises(HoldNotFound):
        call_with(old, event, seat_ids, what)
    after = list(Seat.objects.order_by("pk").values_list("hold_id", "held_until"))
    assert after == before
    assert Hold.objects.get(holder="alice").token == new


@pytest.mark.parametrize("what", WHAT)
def test_the_live_token_acts(old_and_new, event, seat_ids, what):
    _, new = old_and_new
    call_with(new, event, seat_ids, what)


def test_the_token_functions_refuse_an_unknown_or_nul_token(event, seat_ids):
    for token in ("nope", "", "a\x00b"):
        with pytest.raises(HoldNotFound):
            tokens.running_hold(token)
