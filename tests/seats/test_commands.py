"""The management commands, by what they print and what they leave behind."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from seats import services
from seats.models import Event, PriceCategory, Seat
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


def test_seed_demo_creates_one_grid_event_once():
    """With --rows/--seats-per-row: a grid built in code (the plain command
    seats the Grand Hall plan; tests/plans/test_commands.py covers it)."""
    first = run("seed_demo", "--rows", "10", "--seats-per-row", "20")

    event = Event.objects.get()
    assert f"(id {event.id})" in first
    assert event.seats.count() == 200
    assert sorted(PriceCategory.objects.values_list("code", flat=True)) == [
        "premium",
        "standard",
    ]
    assert {c.seats.count() for c in PriceCategory.objects.all()} == {60, 140}

    second = run("seed_demo", "--rows", "10", "--seats-per-row", "20")

    assert second.strip() == "Events exist; no demo event created."
    assert Event.objects.count() == 1
    assert Seat.objects.count() == 200
    assert PriceCategory.objects.count() == 2


def test_ensure_admin_uses_admin_password(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "correct horse battery")

    out = run("ensure_admin")

    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and admin.is_active
    assert admin.check_password("correct horse battery")
    assert "correct horse battery" not in out
    assert run("ensure_admin") == ""
    assert User.objects.count() == 1

    monkeypatch.setenv("ADMIN_PASSWORD", "a different one")
    run("ensure_admin")
    admin.refresh_from_db()
    assert admin.check_password("a different one")


def test_ensure_admin_without_a_password_prints_a_generated_one_once(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)

    out = run("ensure_admin")

    password = re.search(r"with password: (\S+)", out).group(1)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password(password)
    again = run("ensure_admin")
    assert again == ""
    admin.refresh_from_db()
    assert admin.check_password(password)
