"""Generated hostile frames at the waiting-room and dashboard sockets (the
seat map's has its own, larger suite: tests/realtime/test_hostile_frames.py).

Every frame gets the protocol's answer: an `error` with a documented code
(never `server_error`), or, for a frame that happens to be valid, its
reply; and the socket still answers a ping afterwards.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from seats.holders import new_holder_id
from seats.waiting import services as waiting
from tests.realtime.conftest import Client, session_cookie, staff_cookie

pytestmark = pytest.mark.django_db(transaction=True)

DOCUMENTED = {"bad_request", "rate_limited"}

text = st.one_of(st.text(max_size=20), st.sampled_from(["\ud800", "a\x00b", ""]))
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    text,
)
json_values = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["type", "request_id", "count"]) | text, inner),
    max_leaves=8,
)
requests = st.fixed_dictionaries(
    {"type": st.sampled_from(["ping", "leave", "snapshot", "hold", "book", "x"])},
    optional={"request_id": json_values, "seat_ids": json_values},
)
frames = st.one_of(
    requests.map(lambda r: json.dumps(r, allow_nan=False)),
    json_values.map(lambda v: json.dumps(v, allow_nan=False)),
    st.text(max_size=50),
    st.sampled_from(["[" * 3000, "{" * 2000, '{"type": "ping"' + "}" * 10, "nan"]),
)

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def answered(client: Client, frame: str, allowed: set[str]) -> None:
    await client.ws.send_input({"type": "websocket.receive", "text": frame})
    reply = await client.recv(timeout=5)
    _documented_or_allowed(frame, reply, allowed)
    await client.send({"type": "ping"})
    # A push (the waiting page's status after a move) can come before the
    # frame's own answer: the answer is then among these.
    while (pong := await client.recv(timeout=5))["type"] != "pong":
        _documented_or_allowed(frame, pong, allowed)


def _documented_or_allowed(frame: str, reply: dict, allowed: set[str]) -> None:
    if reply["type"] == "error":
        assert reply["code"] in DOCUMENTED, (frame[:100], reply)
    else:
        assert reply["type"] in allowed, (frame[:100], reply)


@SETTINGS
@given(frame=frames)
@example(frame="[" * 3000)
@example(frame='{"type": "leave"}')
async def test_the_waiting_room_socket_answers_every_frame(event, frame):
    await database_sync_to_async(waiting.configure)(
        event_id=event.id,
        enabled=True,
        opens_at=timezone.now() + timedelta(minutes=10),
    )
    cookie, _ = await session_cookie()
    client = Client(f"/ws/events/{event.id}/queue/", cookie=cookie)
    connected, _ = await client.connect()
    assert connected
    try:
        await client.recv_type("queue.status")
        await answered(client, frame, {"pong", "queue.status", "queue.line"})
    finally:
        await client.ws.disconnect()


@SETTINGS
@given(frame=frames)
@example(frame="{" * 2000)
@example(frame='{"type": "snapshot", "request_id": 1e400}')
async def test_the_dashboard_socket_answers_every_frame(event, frame):
    client = Client("/ws/dashboard/", cookie=await staff_cookie(f"s{new_holder_id()}"))
    connected, _ = await client.connect()
    assert connected
    try:
        await client.recv(timeout=5)  # its first state
        await client.recv(timeout=5)  # and the last hour's changes
        await answered(client, frame, {"pong", "dashboard.state", "seats.changed"})
    finally:
        await client.ws.disconnect()
