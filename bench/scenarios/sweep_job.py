"""Inside Django: make expired holds, time one `release_expired()`, count messages.

    python -m bench.scenarios.sweep_job --events 10 --holds 10000

Run by the sweep scenario in a stack's environment (SQLite or PostgreSQL,
in-memory or Redis layer); prints one JSON line. It works inside the project
on purpose: which internals, and why, is in bench/internals.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import time
from collections import Counter
from datetime import timedelta

BATCH = 500


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--holds", type=int, required=True)
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from channels.layers import get_channel_layer
    from django.db import transaction
    from django.utils import timezone

    from bench.internals import (
        BROADCAST_DISPATCH_UID,
        Hold,
        Seat,
        create_venue,
        on_seats_changed,
        publish,
        seats_changed,
        services,
    )

    # Making the holds is not measured, and need not announce anything.
    seats_changed.disconnect(dispatch_uid=BROADCAST_DISPATCH_UID)
    past = timezone.now() - timedelta(hours=1)
    per_event = math.ceil(options.holds / options.events)
    made = 0
    started = time.perf_counter()
    for e in range(options.events):
        event = create_venue(
            name=f"Sweep {e}", rows=math.ceil(per_event / 20), seats_per_row=20
        )
        seats = Seat.objects.filter(event=event).order_by("pk")
        seat_ids = list(seats.values_list("id", flat=True)[:per_event])
        seat_ids = seat_ids[: options.holds - made]
        # One commit per batch (each hold_seats is a savepoint inside it): the
        # holds are the same, the setup does not wait for 10,000 fsyncs.
        for start in range(0, len(seat_ids), BATCH):
            with transaction.atomic():
                for seat_id in seat_ids[start : start + BATCH]:
                    services.hold_seats(
                        event_id=event.id,
                        holder=f"c_sweep{made}",
                        seat_ids=[seat_id],
                        now=past,
                    )
                    made += 1
    setup_seconds = time.perf_counter() - started
    expired = Hold.objects.filter(expires_at__lte=timezone.now()).count()

    seats_changed.connect(on_seats_changed, dispatch_uid=BROADCAST_DISPATCH_UID)
    announced = []
    seats_changed.connect(
        lambda sender, change, **kw: announced.append(change),
        weak=False,
        dispatch_uid="bench.count",
    )
    layer = get_channel_layer()
    sent: Counter = Counter()
    sent_bytes: Counter = Counter()
    group_send = layer.group_send

    async def counting_group_send(group: str, message: dict) -> None:
        kind = "event" if group.startswith("event.") else group
        sent[kind] += 1
        sent_bytes[kind] += len(message.get("text", ""))
        await group_send(group, message)

    layer.group_send = counting_group_send
    # The long-lived publisher loop and its layer connection exist in a real
    # sweeper process; make them before the clock starts.
    publish("bench.warmup", {"type": "bench.warmup"})
    sent.clear()
    sent_bytes.clear()

    started = time.perf_counter()
    released = services.release_expired()
    wall = time.perf_counter() - started
    remaining = Seat.objects.filter(hold__isnull=False).count()
    asyncio.run(asyncio.sleep(0))
    print(
        json.dumps(
            {
                "holds": made,
                "expired_holds_before": expired,
                "setup_seconds": round(setup_seconds, 2),
                "released": len(released),
                "still_held": remaining,
                "wall_ms": round(wall * 1000, 1),
                "announcements": len(announced),
                "events_announced": len({c.event_id for c in announced}),
                "layer_messages": dict(sent),
                "layer_bytes": dict(sent_bytes),
                "layer": type(layer).__name__,
            }
        )
    )


if __name__ == "__main__":
    main()
