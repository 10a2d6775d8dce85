"""Redis killed and restarted under live clients on two workers."""

from __future__ import annotations

import asyncio
import json

from devtools.wsclient import SeatMapClient, seat_map_path


class Watcher:
    """Every frame one client receives, parsed."""

    def __init__(self) -> None:
        self.frames: list[dict] = []

    def __call__(self, text: str, received_at: float) -> None:
        self.frames.append(json.loads(text))

    def version(self) -> int:
        """The highest version seen in a change or a heartbeat."""
        seen = [
            f["version"]
            for f in self.frames
            if f.get("type") in ("seats.changed", "heartbeat")
        ]
        return max(seen, default=0)

    async def until(self, version: int, kinds: tuple[str, ...], timeout: float):
        deadline = asyncio.get_running_loop().time() + timeout
        while not any(
            f.get("type") in kinds and f.get("version", 0) >= version
            for f in self.frames
        ):
            assert asyncio.get_running_loop().time() < deadline, [
                (f.get("type"), f.get("version")) for f in self.frames
            ]
            await asyncio.sleep(0.05)


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
