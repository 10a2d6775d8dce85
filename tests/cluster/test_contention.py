"""Two daphne workers, PostgreSQL and Redis under contention, through real sockets."""

from __future__ import annotations

import asyncio
import random
import urllib.request
from collections import Counter

from devtools.wsclient import SeatMapClient, close_many
from tests.cluster.fixtures import (
    LOOP_CONNECTIONS,
    POOL_SIZE,
    open_client,
    open_clients,
)


async def test_a_hold_on_one_worker_reaches_clients_of_the_other(cluster):
    event_id = cluster.new_event()
    seat = cluster.seat_ids(event_id)[0]
    a = await open_client(cluster.workers[0], event_id)
    b = await open_client(cluster.workers[1], event_id)
    # The cluster serves the module's other tests too: count from here.
    answered = 'seats_loop_clicks_total{result="answered"}'
    before = await asyncio.to_thread(metric, cluster.workers[0], answered)

    reply = await a.request({"type": "hold", "seat_ids": [seat]})
    assert reply["type"] == "hold.ok"
    seen_by_b = await b.wait_for(lambda c: c["reason"] == "held")
    seen_by_a = await a.wait_for(lambda c: c["reason"] == "held")
    assert seen_by_b["version"] == seen_by_a["version"] == b.snapshot["version"] + 1
    assert seen_by_b["seats"] == [
        {
            "id": seat,
            "status": "held",
            "holder": a.you,  # the same public id the holder's own snapshot has
            "held_until": reply["held_until"],
        }
    ]
    # A plain click is answered on the serving loop, not a database thread.
    after = await asyncio.to_thread(metric, cluster.workers[0], answered)
    assert after == before + 1
    await close_many([a, b])


def metric(worker, name: str) -> float:
    """One value of a worker's /metrics (0 when absent)."""
    with urllib.request.urlopen(f"{worker.url}/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.rsplit(" ", 1)[0] == name:
                return float(line.split()[-1])
    return 0.0


ROUNDS = 40


async def test_hammer_exactly_one_winner_per_round(cluster):
    """200 contenders over both workers, 40 rounds, one seat (8,000 requests)."""
    event_id = cluster.new_event()
    seat = cluster.seat_ids(event_id)[0]
    clients = await open_clients(cluster, event_id, 200)
    try:
        for round_ in range(ROUNDS):
            replies = await asyncio.gather(
                *(c.request({"type": "hold", "seat_ids": [seat]}) for c in clients)
            )
            kinds = Counter(
                r["type"] if r["type"] != "error" else r["code"] for r in replies
            )
            assert kinds == {"hold.ok": 1, "seats_unavailable": 199}, (round_, kinds)
            winner = clients[[r["type"] for r in replies].index("hold.ok")]
            (holder,) = cluster.sql(
                "SELECT holder FROM seats_seat WHERE id = %s", [seat]
            )
            assert holder != ("",)
            # Only the holder can release: the winner holds the seat.
            released = await winner.request({"type": "release", "seat_ids": [seat]})
            assert released["type"] == "release.ok", (round_, released)
    finally:
        await close_many(clients)

    kinds = dict(
        cluster.sql(
            "SELECT kind, count(*) FROM seats_activity WHERE seat_id = %s "
            "GROUP BY kind",
            [seat],
        )
    )
    assert kinds == {"held": ROUNDS, "released": ROUNDS}


async def test_overlapping_holds_in_opposite_orders_never_deadlock(cluster):
    event_id = cluster.new_event()
    seats = cluster.seat_ids(event_id)[:6]
    clients = await open_clients(cluster, event_id, 60)
    rng = random.Random(7)
    try:
        for _ in range(10):
            asks = []
            for i, client in enumerate(clients):
                chosen = seats[i % 3 : i % 3 + 4]
                asks.append((client, chosen[::-1] if i % 2 else chosen))
            rng.shuffle(asks)
            replies = await asyncio.gather(
                *(c.request({"type": "hold", "seat_ids": ids}) for c, ids in asks)
            )
            codes = Counter(r.get("code", r["type"]) for r in replies)
            assert set(codes) <= {"hold.ok", "seats_unavailable"}, codes
            winners = [
                (c, ids)
                for (c, ids), r in zip(asks, replies, strict=True)
                if r["type"] == "hold.ok"
            ]
            held = [seat for _, ids in winners for seat in ids]
            assert len(held) == len(set(held)), "a seat was held twice"
            rows = dict(
                cluster.sql(
                    "SELECT id, holder FROM seats_seat "
                    "WHERE id = ANY(%s) AND holder <> ''",
                    [seats],
                )
            )
            # Every won seat is held, each winner's seats by one holder of
            # its own (the wire shows public ids, the table the real ones).
            assert set(rows) == set(held)
            owners = [{rows[seat] for seat in ids} for _, ids in winners]
            assert all(len(owner) == 1 for owner in owners)
            assert len(set().union(*owners)) == len(winners)
            releases = await asyncio.gather(
                *(c.request({"type": "release", "seat_ids": ids}) for c, ids in winners)
            )
            assert {r["type"] for r in releases} <= {"release.ok"}
    finally:
        await close_many(clients)
    assert_no_double_holds(cluster, seats)


def assert_no_double_holds(cluster, seats: list[int]) -> None:
    """Replay the activity log: a seat is never held while it is held."""
    rows = cluster.sql(
        "SELECT seat_id, kind, holder FROM seats_activity WHERE seat_id = ANY(%s) "
        "ORDER BY seat_id, version, id",
        [seats],
    )
    holder: dict[int, str | None] = {}
    for seat, kind, who in rows:
        if kind == "held":
            assert holder.get(seat) is None, (
                f"seat {seat} held by {holder[seat]} and {who}"
            )
            holder[seat] = who
        elif kind in ("released", "expired", "booked"):
            assert holder.get(seat) == who, (seat, kind, who, holder.get(seat))
            holder[seat] = None


async def test_database_connections_stay_within_the_pools(cluster):
    event_id = cluster.new_event()
    seats = cluster.seat_ids(event_id)
    clients = await open_clients(cluster, event_id, 20)
    try:
        for _ in range(25):  # 20 clients x 25 x (hold + release) = 1,000 messages
            await asyncio.gather(
                *(
                    hold_and_release(client, seats[i])
                    for i, client in enumerate(clients)
                )
            )
    finally:
        await close_many(clients)
    (count,) = cluster.sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
        [cluster.database.name],
    )[0]
    # Both workers' pools and loops at most, plus this query's own connection.
    per_worker = POOL_SIZE + LOOP_CONNECTIONS
    assert 1 <= count <= len(cluster.workers) * per_worker + 1, count


async def hold_and_release(client: SeatMapClient, seat: int) -> None:
    held = await client.request({"type": "hold", "seat_ids": [seat]})
    assert held["type"] == "hold.ok", held
    released = await client.request({"type": "release", "seat_ids": [seat]})
    assert released["type"] == "release.ok", released
