"""GET /metrics: Prometheus's text format, counting what the sockets do."""

from __future__ import annotations

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from realtime.hub import Hub
from tests.realtime.conftest import event_client

pytestmark = pytest.mark.django_db(transaction=True)


def scrape() -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics, keyed by name and sorted labels."""
    response = Client().get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_requests_changes_and_sockets_are_counted(event, seat_ids):
    before = await sync_to_async(scrape)()
    client, _ = await event_client(event.id)
    await client.request({"type": "hold", "seat_ids": [seat_ids[0]]})
    await client.request({"type": "hold", "seat_ids": [10**6]})
    await client.send_raw("not json")
    await client.recv_type("error")
    during = await sync_to_async(scrape)()
    await client.close()
    after = await sync_to_async(scrape)()

    def grew(name: str, **labels) -> float:
        return value(during, name, **labels) - value(before, name, **labels)

    assert grew("seats_requests_total", type="hold", outcome="ok") == 1
    assert grew("seats_requests_total", type="hold", outcome="unknown_seat") == 1
    assert grew("seats_requests_total", type="invalid", outcome="bad_request") == 1
    assert grew("seats_seat_changes_total", reason="held") == 1
    # No serving hub in this process: the change came through the layer.
    assert grew("seats_broadcast_lag_seconds_count", via="layer") >= 1
    assert grew("seats_db_operation_seconds_count", operation="hold_seats") == 2
    assert (
        value(during, "seats_open_sockets", kind="seat_map")
        == value(before, "seats_open_sockets", kind="seat_map") + 1
    )
    assert value(after, "seats_open_sockets", kind="seat_map") == value(
        before, "seats_open_sockets", kind="seat_map"
    )


def test_a_sweep_is_timed_and_counted(event, seat_ids):
    from seats import services
    from tests.conftest import later
    from workers.sweeper import _sweep_once

    services.hold_seats(
        event_id=event.id, holder="h_a", seat_ids=seat_ids[:2], now=later(-1000)
    )
    before = scrape()
    assert _sweep_once() == 2
    after = scrape()
    assert (
        value(after, "seats_swept_seats_total")
        - value(before, "seats_swept_seats_total")
        == 2
    )
    assert (
        value(after, "seats_sweep_duration_seconds_count")
        - value(before, "seats_sweep_duration_seconds_count")
        == 1
    )


async def test_the_broadcast_lag_says_which_way_a_change_came():
    """A change this process made reaches its sockets straight from its hub;
    another process's comes through the layer, and is counted apart."""
    hub = Hub(asyncio.get_running_loop())
    before = await sync_to_async(scrape)()
    for origin in (hub.origin, "another-process", "another-process"):
        await hub.dispatch(
            {
                "type": "seats.changed",
                "group": "event.999999",  # nobody subscribed: counted, not sent
                "version": 1,
                "text": "{}",
                "committed_at": time.time(),
                "origin": origin,
            }
        )
    after = await sync_to_async(scrape)()
    name = "seats_broadcast_lag_seconds_count"
    assert value(after, name, via="hub") - value(before, name, via="hub") == 1
    assert value(after, name, via="layer") - value(before, name, via="layer") == 2
