"""The management commands, by what they print and what they leave behind."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from seats import services
from seats.models import Seat
from tests.conftest import later

pytestmark = pytest.mark.django_db


def run(name: str, *args) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_release_expired_locks_reports_each_seat_and_the_total(
    event, seat_ids, other_event, other_seat_ids, clock
):
    services.hold_seats(
        event_id=event.id, holder="alice", seat_ids=seat_ids[:2], now=later(0)
    )
    services.hold_seats(
        event_id=other_event.id, holder="bob", seat_ids=other_seat_ids[:1], now=later(0)
    )
    services.hold_seats(
        event_id=event.id, holder="carol", seat_ids=seat_ids[2:3], now=later(200)
    )
    clock(350)

    lines = run("release_expired_locks").splitlines()

    assert lines == [
        "Released lock on seat A1 (event: Test Night, was held by alice)",
        "Released lock on seat A2 (event: Test Night, was held by alice)",
        "Released lock on seat A1 (event: Other Night, was held by bob)",
        "Total locks released: 3",
    ]
    assert list(Seat.objects.filter(hold__isnull=False).values_list("holder")) == [
        ("carol",)
    ]
    assert run("release_expired_locks").splitlines() == ["Total locks released: 0"]
