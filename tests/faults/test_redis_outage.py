"""Redis killed and restarted under live clients on two workers."""

from __future__ import annotations

from devtools.wsclient import SeatMapClient, seat_map_path
from tests.faults.watching import Watcher


async def test_clients_converge_after_redis_dies_and_comes_back(project, own_redis):
    event_id = project.new_event("Outage Night", 2, 5)
    workers = [project.serve("--no-sweeper") for _ in range(2)]
    path = seat_map_path(event_id)
    here, there = Watcher(), Watcher()
    a = await SeatMapClient.open(workers[0].ws_url(path), here)
    b = await SeatMapClient.open(workers[1].ws_url(path), there)
    seats = [s["id"] for s in a.snapshot["seats"]]

    # Healthy: a change on worker 0 reaches worker 1 through Redis.
    assert (await a.request({"type": "hold", "seat_ids": [seats[0]]}))["type"] == (
        "hold.ok"
    )
    await there.until(1, ("seats.changed",), timeout=10)

    own_redis.kill()
    # The database still works; worker 0's own sockets hear at once.
    assert (await a.request({"type": "hold", "seat_ids": [seats[1]]}))["type"] == (
        "hold.ok"
    )
    await here.until(2, ("seats.changed",), timeout=5)

    own_redis.start()
    # Worker 1's client learns of v2: the retried publish or the heartbeat.
    await there.until(2, ("seats.changed", "heartbeat"), timeout=20)
    # Changes lost while a subscription was deaf still reach every client as
    # a heartbeat version (a real client then resyncs) ...
    assert (await b.request({"type": "hold", "seat_ids": [seats[2]]}))["type"] == (
        "hold.ok"
    )
    await here.until(3, ("seats.changed", "heartbeat"), timeout=20)
    # ... and within a few heartbeats Redis carries every change both ways.
    assert await carried(b, there, here, seats[3:6])
    assert await carried(a, here, there, seats[6:9])
    await a.close()
    await b.close()


async def carried(sender, own: Watcher, receiver: Watcher, seats) -> bool:
    """A change from `sender` reaches `receiver` as seats.changed, within tries.

    `own` watches the sender's worker, which hears its own change at once:
    its version is the one to wait for at the receiver.
    """
    for seat in seats:
        before = own.version()
        reply = await sender.request({"type": "hold", "seat_ids": [seat]})
        assert reply["type"] == "hold.ok", reply
        await own.until(before + 1, ("seats.changed",), timeout=5)
        try:
            await receiver.until(own.version(), ("seats.changed",), timeout=4)
            return True
        except AssertionError:
            continue
    return False


async def test_sockets_that_arrive_while_redis_is_down_are_served(project, own_redis):
    """The first socket of a process (no channel of its own yet) and the first
    socket of an event on a process that has one: both get their snapshot and
    their own changes at once, and join the cluster once Redis is back."""
    first, second = (project.new_event(f"Arrivals {n}", 2, 5) for n in (1, 2))
    fresh, busy = (project.serve("--no-sweeper") for _ in range(2))
    watching_second = Watcher()
    # `busy` has a hub already (a socket of the first event)...
    b = await SeatMapClient.open(busy.ws_url(seat_map_path(first)), watching_second)
    own_redis.kill()

    # ... the fresh worker has none; neither can reach Redis now.
    here = Watcher()
    a = await SeatMapClient.open(fresh.ws_url(seat_map_path(first)), here)
    newcomer = Watcher()
    c = await SeatMapClient.open(busy.ws_url(seat_map_path(second)), newcomer)
    for client, watcher in ((a, here), (c, newcomer)):
        seat = client.snapshot["seats"][0]["id"]
        reply = await client.request({"type": "hold", "seat_ids": [seat]})
        assert reply["type"] == "hold.ok", reply
        after = client.snapshot["version"] + 1
        await watcher.until(after, ("seats.changed",), timeout=5)

    own_redis.start()
    # The joins went on in the background: changes cross between workers.
    seats = [s["id"] for s in a.snapshot["seats"]]
    assert await carried(b, watching_second, here, seats[1:6])
    assert await carried(a, here, watching_second, seats[6:10])
    for client in (a, b, c):
        await client.close()
