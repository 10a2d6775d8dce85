"""Two Redis servers as shards of one channel layer (REDIS_URL with two URLs):
every event's changes still reach every worker, and both servers carry
some of the groups."""

from __future__ import annotations

import json
import urllib.request

import pytest
import redis

from devtools.processes import Project
from devtools.wsclient import SeatMapClient, seat_map_path
from tests.faults.conftest import RedisServer
from tests.faults.watching import Watcher

MOST_EVENTS = 12


@pytest.fixture
def second_redis(tmp_path):
    server = RedisServer(tmp_path / "redis-2.log")
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            server.kill()


def subscribed(server: RedisServer) -> list[bytes]:
    return redis.Redis(port=server.port).pubsub_channels()


async def test_events_on_two_shards_reach_every_worker(
    tmp_path, database, own_redis, second_redis
):
    shards = (own_redis, second_redis)
    project = Project(
        tmp_path / "project",
        DATABASE_URL=database.url,
        REDIS_URL=",".join(server.url for server in shards),
        DATABASE_POOL_SIZE="4",
    )
    project.migrate()
    clients = []
    try:
        workers = [project.serve("--no-sweeper") for _ in range(2)]
        # Events until both servers hold some of their groups (a group's
        # shard is a hash of its name: a few events are enough).
        for n in range(MOST_EVENTS):
            event_id = project.new_event(f"Shard {n}", 1, 4)
            path = seat_map_path(event_id)
            there = Watcher()
            here = await SeatMapClient.open(workers[0].ws_url(path), Watcher())
            away = await SeatMapClient.open(workers[1].ws_url(path), there)
            clients += [here, away]
            seat = here.snapshot["seats"][0]["id"]
            reply = await here.request({"type": "hold", "seat_ids": [seat]})
            assert reply["type"] == "hold.ok", reply
            # Through whichever shard the event's group is on.
            await there.until(1, ("seats.changed",), timeout=10)
            if all(subscribed(server) for server in shards):
                break
        assert all(subscribed(server) for server in shards), "one shard got all"
        # Ready only when every shard answers.
        with urllib.request.urlopen(workers[0].url + "/readyz", timeout=5) as answer:
            assert json.load(answer)["checks"]["channel_layer"] == "ok"
        second_redis.kill()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(workers[0].url + "/readyz", timeout=10)
        assert refused.value.code == 503
    finally:
        for client in clients:
            await client.close()
        project.stop_all()
