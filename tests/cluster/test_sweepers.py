"""Sweepers in a cluster: racing bookings, running twice, electing one leader."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from datetime import datetime

import pytest

from devtools.processes import ROOT
from devtools.wsclient import SeatMapClient, close_many
from tests.cluster.fixtures import open_client, wait_for_log


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize("offset", [-0.02, 0.0, 0.02])
async def test_booking_racing_the_expiry_has_one_outcome_everyone_sees(
    cluster, sweeper, offset
):
    event_id = cluster.new_event()
    seats = cluster.seat_ids(event_id)
    buyer = await open_client(cluster.workers[0], event_id)
    watchers = [await open_client(w, event_id) for w in cluster.workers]
    try:
        for seat in seats[:3]:
            held = await buyer.request({"type": "hold", "seat_ids": [seat]})
            assert held["type"] == "hold.ok"
            # Same machine, same clock: book right at the expiry, give or take.
            await asyncio.sleep(
                max(0, parse_time(held["held_until"]) + offset - time.time())
            )
            reply = await buyer.request({"type": "book", "seat_ids": [seat]})

            def settles(change, seat=seat):
                return change["reason"] in ("booked", "expired") and any(
                    s["id"] == seat for s in change["seats"]
                )

            # A busy machine (the suite runs in parallel) can take seconds
            # to sweep and announce; what matters is that it comes.
            try:
                finals = [await w.wait_for(settles, timeout=30) for w in watchers]
            except TimeoutError as error:
                raise AssertionError(
                    f"{error}; seat {seat}: {cluster.sql(SEAT_ROW, [seat])}; "
                    f"sweeper log:\n{cluster.log('sweeper')[-4000:]}"
                ) from None
            (booking,) = cluster.sql(
                "SELECT booking_id FROM seats_seat WHERE id = %s", [seat]
            )[0]
            if reply["type"] == "book.ok":
                assert booking is not None
                assert [f["reason"] for f in finals] == ["booked", "booked"]
            else:
                assert reply["code"] in ("hold_expired", "not_holder"), reply
                assert booking is None
                assert [f["reason"] for f in finals] == ["expired", "expired"]
            assert {w.seat_states()[seat] for w in watchers} == {
                "booked" if booking else "available"
            }
            assert finals[0]["version"] == finals[1]["version"]
    finally:
        await close_many([buyer, *watchers])


async def test_two_sweeps_at_once_release_and_announce_each_seat_once(cluster):
    event_id = cluster.new_event(rows=20, seats_per_row=50)
    seats = cluster.seat_ids(event_id)
    assert len(seats) == 1000
    make_expired_holds(cluster, event_id)
    watchers = [await open_client(w, event_id) for w in cluster.workers]
    start_version = watchers[0].snapshot["version"]

    commands = [
        subprocess.Popen(
            [sys.executable, "manage.py", "release_expired_locks"],
            cwd=ROOT,
            env=cluster.env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [c.communicate(timeout=120)[0] for c in commands]
    assert [c.returncode for c in commands] == [0, 0]
    totals = [
        int(re.search(r"Total locks released: (\d+)", o).group(1)) for o in outputs
    ]
    assert sum(totals) == 1000, totals

    for watcher in watchers:
        await watcher.wait_for(lambda c, w=watcher: announced(w) == 1000, timeout=20)
        await asyncio.sleep(0.2)  # nothing more may follow
        ids = [s["id"] for c in watcher.changes for s in c["seats"]]
        assert sorted(ids) == seats, "each seat announced exactly once"
        versions = [c["version"] for c in watcher.changes]
        assert versions == list(
            range(start_version + 1, start_version + 1 + len(versions))
        )
        assert len(versions) <= 2, "one message per event per sweep"
    expired = cluster.sql(
        "SELECT seat_id, count(*) FROM seats_activity WHERE event_id = %s "
        "AND kind = 'expired' GROUP BY seat_id",
        [event_id],
    )
    assert len(expired) == 1000 and {n for _, n in expired} == {1}
    await close_many(watchers)


SEAT_ROW = "SELECT holder, held_until, booking_id, now() FROM seats_seat WHERE id = %s"


def announced(watcher: SeatMapClient) -> int:
    return sum(len(c["seats"]) for c in watcher.changes if c["reason"] == "expired")


def make_expired_holds(cluster, event_id: int) -> None:
    """100 holders x 10 seats, all held an hour ago (so long expired)."""
    cluster.manage(
        "shell",
        "-c",
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from seats import services\n"
        "from seats.models import Seat\n"
        f"ids = list(Seat.objects.filter(event_id={event_id}).order_by('id')"
        ".values_list('id', flat=True))\n"
        "past = timezone.now() - timedelta(hours=1)\n"
        "for i in range(0, len(ids), 10):\n"
        f"    services.hold_seats(event_id={event_id}, holder=f'h_bulk{{i}}', "
        "seat_ids=ids[i:i + 10], now=past)\n",
    )


def test_a_second_sweeper_stands_by_until_the_first_stops(cluster):
    first = cluster.spawn("sweeper-first", "run_sweeper")
    wait_for_log(cluster, "sweeper-first", "Sweeper running")
    second = cluster.spawn("sweeper-second", "run_sweeper")
    try:
        wait_for_log(cluster, "sweeper-second", "standing by")
        assert "Sweeper running" not in cluster.log("sweeper-second")
        cluster.stop(first)
        wait_for_log(cluster, "sweeper-second", "Sweeper running", timeout=15)
    finally:
        cluster.stop(first)
        cluster.stop(second)
