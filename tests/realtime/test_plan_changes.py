"""A new seating plan reaches every open map: `plan.changed`, then a fresh snapshot."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from plans.document import Category, Plan, PlanSeat, Row, Zone
from plans.store import change_event_plan, create_event, save_plan
from seats import services
from seats.models import Seat
from tests.conftest import T0
from tests.realtime.conftest import event_client

pytestmark = pytest.mark.django_db(transaction=True)


def hall(*rows: tuple[str, int]) -> Plan:
    return Plan(
        "Little Hall",
        (Category("front", "Front", "#aa0000"),),
        (
            Zone(
                "Stalls",
                tuple(
                    Row(
                        name,
                        tuple(
                            PlanSeat(f"{name}{n}", str(n), 10.0 * n, 12.0 * y, "front")
                            for n in range(1, count + 1)
                        ),
                    )
                    for y, (name, count) in enumerate(rows)
                ),
            ),
        ),
    )


@database_sync_to_async
def event_on(plan: Plan) -> int:
    return create_event(plan=save_plan(plan=plan), name="Night", starts_at=T0).id


@database_sync_to_async
def move_onto(event_id: int, plan: Plan) -> None:
    from django.utils import timezone

    from seats.models import Event

    event = Event.objects.get(pk=event_id)
    change_event_plan(event=event, plan=save_plan(plan=plan), now=timezone.now())


async def test_a_new_plan_is_announced_in_order_and_the_map_reloads(hold_settings):
    event_id = await event_on(hall(("A", 4)))
    watcher, snapshot = await event_client(event_id)
    assert len(snapshot["seats"]) == 4
    first = await database_sync_to_async(
        lambda: Seat.objects.filter(event_id=event_id).order_by("pk").first().id
    )()
    await database_sync_to_async(services.hold_seats)(
        event_id=event_id, holder="h_alice", seat_ids=[first]
    )
    held = await watcher.recv_type("seats.changed")

    await move_onto(event_id, hall(("A", 4), ("B", 3)))

    changed = await watcher.recv_type("plan.changed")
    assert changed == {"type": "plan.changed", "event": event_id, "version": 2}
    assert changed["version"] == held["version"] + 1
    again = await watcher.request({"type": "snapshot"})
    assert again["version"] == 2
    assert sorted(s["label"] for s in again["seats"]) == [
        "A1", "A2", "A3", "A4", "B1", "B2", "B3"
    ]  # fmt: skip
    # The hold survived the new plan: the seat kept its id and its state.
    assert {s["id"]: s["status"] for s in again["seats"]}[first] == "held"
    await watcher.close()
