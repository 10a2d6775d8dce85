"""Paths and ids that name nothing get a clean close or error, never a 500."""

from __future__ import annotations

import pytest

from seats.models import Seat
from tests.realtime.conftest import Client, event_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "path",
    ["/ws/events/abc/", "/ws/nowhere/", "/ws/events/1/extra/", f"/ws/events/{2**64}/"],
)
async def test_paths_that_name_nothing_close_with_4404(event, path):
    client = Client(path)
    connected, _ = await client.connect()
    assert connected
    assert await client.closed_with() == 4404


async def test_a_seat_id_beyond_64_bits_is_a_bad_request(event, seat_ids):
    client, _ = await event_client(event.id)
    reply = await client.request(
        {"type": "hold", "seat_ids": [2**63], "request_id": "big"}
    )
    assert (reply["type"], reply["code"], reply["request_id"]) == (
        "error",
        "bad_request",
        "big",
    )
    assert not await Seat.objects.exclude(holder="").aexists()
    # The connection is still usable.
    assert (await client.request({"type": "ping"}))["type"] == "pong"
    await client.close()
