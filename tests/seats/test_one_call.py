"""PostgreSQL's one-call hold and release (services.one_call: seats_take_free
and seats_free_held). They do the plain case in one round trip and leave
everything else, unchanged, to the long way. The state machine holds both
to one model; these pin which way a request goes and that a refusal
changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seats import services
from seats.errors import SingleSeatLeft, TooManySeats
from seats.models import Activity, Event, Hold, Seat
from seats.outbox.models import WebhookDelivery, WebhookEndpoint
from seats.services import one_call
from seats.services.locking import read_seats
from tests.conftest import later
from tests.seats.test_services import everything

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def hold(event, holder, seat_ids, at=0.0):
    with CaptureQueriesContext(connection) as captured:
        result = services.hold_seats(
            event_id=event.id, holder=holder, seat_ids=seat_ids, now=later(at)
        )
    return result, [q["sql"] for q in captured.captured_queries]


def went_in_one_call(sent: list[str]) -> bool:
    return any(sql.startswith("SELECT * FROM seats_") for sql in sent) and not any(
        "FOR UPDATE" in sql for sql in sent
    )


def test_free_seats_are_held_in_one_call_committed_and_announced(
    event, seat_ids, announcements
):
    before = Event.objects.get(pk=event.id).version
    result, sent = hold(event, "alice", seat_ids[:2])
    assert went_in_one_call(sent)
    assert "BEGIN" not in sent  # autocommit: the call is its own transaction
    hold_row = Hold.objects.get(event=event, holder="alice")
    assert result.token == hold_row.token
    assert result.held_until == hold_row.expires_at == later(300)
    assert result.max_until == hold_row.max_expires_at == later(900)
    assert (
        list(
            Seat.objects.filter(id__in=seat_ids[:2]).values_list(
                "hold_id", "holder", "held_until"
            )
        )
        == [(hold_row.id, "alice", later(300))] * 2
    )
    version = Event.objects.get(pk=event.id).version
    assert version == before + 1
    assert sorted(
        Activity.objects.filter(event=event).values_list("seat_id", "kind", "version")
    ) == [(seat_ids[0], "held", version), (seat_ids[1], "held", version)]
    [change] = announcements
    assert (change.reason, change.version) == ("held", version)
    assert [s.id for s in change.seats] == seat_ids[:2]
    assert change.groups[0].token == hold_row.token


def test_more_seats_join_the_running_hold_in_one_call(event, seat_ids):
    first, _ = hold(event, "alice", seat_ids[:1])
    more, sent = hold(event, "alice", seat_ids[1:2], at=10)
    assert went_in_one_call(sent)
    assert more.token == first.token
    assert more.held_until == first.held_until  # shares the hold's expiry
    assert Seat.objects.get(pk=seat_ids[1]).hold_id == Hold.objects.get().id


def test_a_stale_read_makes_the_call_change_nothing(event, seat_ids):
    seats = read_seats(event.id, seat_ids[:2])
    hold(event, "bob", seat_ids[1:2])
    before = everything()
    assert one_call.take_free(event.id, "alice", seats, later(1)) is None
    assert everything() == before


def test_past_the_limit_the_call_changes_nothing_and_the_long_way_says_why(
    event, seat_ids, settings
):
    settings.SEAT_MAX_PER_HOLDER = 2
    hold(event, "alice", seat_ids[:2])
    before = everything()
    seats = read_seats(event.id, seat_ids[2:3])
    assert one_call.take_free(event.id, "alice", seats, later(1)) is None
    assert everything() == before
    with pytest.raises(TooManySeats, match="you hold 2"):
        hold(event, "alice", seat_ids[2:3], at=1)
    assert everything() == before


def test_with_a_webhook_endpoint_the_long_way_writes_the_outbox(event, seat_ids):
    WebhookEndpoint.objects.create(url="https://shop.example/hooks")
    _, sent = hold(event, "alice", seat_ids[:1])
    assert not went_in_one_call(sent)
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == [
        "seats.held"
    ]


def test_a_lapsed_hold_is_renewed_the_long_way_its_seats_expiring_first(
    event, seat_ids
):
    hold(event, "alice", seat_ids[:1])
    # 301 s later the hold has lapsed, unswept; alice takes another seat.
    _, sent = hold(event, "alice", seat_ids[1:2], at=301)
    assert not went_in_one_call(sent)
    kinds = list(
        Activity.objects.filter(event=event)
        .order_by("id")
        .values_list("seat_id", "kind")
    )
    assert kinds == [
        (seat_ids[0], "held"),
        (seat_ids[0], "expired"),
        (seat_ids[1], "held"),
    ]


def release(event, holder, seat_ids, at=1.0):
    with CaptureQueriesContext(connection) as captured:
        freed = services.release_seats(
            event_id=event.id, holder=holder, seat_ids=seat_ids, now=later(at)
        )
    return freed, [q["sql"] for q in captured.captured_queries]


def test_a_release_is_one_call_and_the_emptied_hold_goes_with_it(
    event, seat_ids, announcements
):
    hold(event, "alice", seat_ids[:2])
    token = Hold.objects.get().token
    freed, sent = release(event, "alice", seat_ids[:1])
    assert went_in_one_call(sent) and freed == seat_ids[:1]
    assert Hold.objects.filter(token=token).exists()  # one seat still points at it
    freed, sent = release(event, "alice", seat_ids[1:2], at=2)
    assert went_in_one_call(sent) and freed == seat_ids[1:2]
    assert not Hold.objects.exists()
    assert set(
        Seat.objects.filter(id__in=seat_ids[:2]).values_list(
            "hold_id", "holder", "held_until"
        )
    ) == {(None, "", None)}
    version = Event.objects.get(pk=event.id).version
    assert list(
        Activity.objects.filter(kind="released")
        .order_by("id")
        .values_list("seat_id", "version")
    ) == [(seat_ids[0], version - 1), (seat_ids[1], version)]
    assert [(c.reason, c.version, c.groups[0].token) for c in announcements[1:]] == [
        ("released", version - 1, token),
        ("released", version, token),
    ]


def test_a_release_after_a_stale_read_changes_nothing(event, seat_ids):
    hold(event, "alice", seat_ids[:2])
    seats = read_seats(event.id, seat_ids[:2])
    services.book_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:1], now=later(2)
    )
    before = everything()
    assert not one_call.free_held(event.id, "alice", seats, later(3), rules=True)
    assert everything() == before


def test_a_release_that_strands_a_seat_goes_the_long_way_and_is_refused(make_event):
    event = make_event(avoid_single_seats=True)
    ids = list(
        Seat.objects.filter(event=event).order_by("pk").values_list("id", flat=True)
    )
    hold(event, "alice", ids[:3])
    before = everything()
    with pytest.raises(SingleSeatLeft):
        release(event, "alice", ids[1:2])
    assert everything() == before
