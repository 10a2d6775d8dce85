"""300 requests racing over two workers for the last 50 places of a standing floor."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from plans.native import dump_json, write_native
from tests.standing import club_plan

CAPACITY = 200
RACERS = 300
LEFT = 50


def post(url: str, key: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_300_racers_over_two_workers_take_exactly_the_last_50_places(
    cluster, tmp_path: Path
):
    plan = tmp_path / "club.json"
    plan.write_bytes(dump_json(write_native(club_plan(CAPACITY))))
    out = cluster.manage(
        "import_plan", str(plan), "--create-event", "Race", "--starts-at", "2030-01-10"
    )
    event_id = int(re.search(r"Created event .*? \(id (\d+)\)", out).group(1))
    # Ten shops: each key's burst (40) covers its share of the race.
    keys = [
        cluster.manage(
            "create_api_key", f"shop{n}", "--scope", "sell", "-v", "0"
        ).strip()
        for n in range(11)
    ]
    key = keys.pop()  # the first 150's
    holds = [f"{w.url}/api/v1/events/{event_id}/holds" for w in cluster.workers]
    floor = {"places": [{"area": "floor", "quantity": 10}], "expires_in_minutes": 30}
    # The first 150 go to shops holding ten each for half an hour.
    for n in range((CAPACITY - LEFT) // 10):
        status, body = post(holds[n % 2], key, floor)
        assert status == 201, body

    start = threading.Barrier(60)
    one = {"places": [{"area": "floor", "quantity": 1}], "expires_in_minutes": 30}

    def race(n: int) -> tuple[int, dict]:
        if n < 60:
            start.wait(timeout=30)
        return post(holds[n % 2], keys[n % 10], one)

    with ThreadPoolExecutor(max_workers=60) as pool:
        answers = list(pool.map(race, range(RACERS)))

    outcomes = Counter(
        status if status == 201 else body.get("code") for status, body in answers
    )
    assert outcomes == {201: LEFT, "not_enough_places": RACERS - LEFT}, outcomes
    ((taken, holders),) = cluster.sql(
        "SELECT count(*), count(DISTINCT holder) FROM seats_seat "
        "WHERE event_id = %s AND area = 'floor' AND holder <> ''",
        [event_id],
    )
    assert (taken, holders) == (CAPACITY, (CAPACITY - LEFT) // 10 + LEFT)
    won = [body["seats"][0]["id"] for status, body in answers if status == 201]
    assert len(set(won)) == LEFT
