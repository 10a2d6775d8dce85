"""Expiry visibility: how long after `held_until` a watcher sees the seat free.

Holds of SEAT_HOLD_SECONDS are started one after another over the spread, one
seat per connection (so each is its own holder with its own expiry), against
one `manage.py serve` with the default in-process sweeper (every 1 s). A
watching client notes, for each seat, the wall-clock moment a `seats.changed`
says it is `available`; the delay is that moment minus the `held_until` the
hold was answered with (the same machine's clock, milliseconds on the wire).

The polling design beside it (a sweeper every 60 s that frees seats, browsers
polling every 3 s) is simulated on the same expiry times with random phases.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import datetime

from bench.stats import percentile, ratio
from devtools.wsclient import (
    SeatMapClient,
    close_many,
    ignore,
    open_many,
    seat_map_path,
)

NAME = "expiry"
TITLE = "expiry visibility, in-process sweeper every 1 s"
OLD_SWEEP_SECONDS = 60.0
OLD_POLL_SECONDS = 3.0
TRIALS = 200


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def run(ctx) -> dict:
    options = ctx.options
    stack, events = ctx.sqlite_stack(
        "expiry", SEAT_HOLD_SECONDS=str(options.expiry_hold_seconds)
    )
    event_id = events["expiry"]
    freed: dict[int, float] = {}

    def on_change(text: str, now: float) -> None:
        seen = time.time()
        message = json.loads(text)
        if message.get("type") != "seats.changed":
            return
        for seat in message["seats"]:
            if seat["status"] == "available":
                freed.setdefault(seat["id"], seen)

    holders: list[SeatMapClient] = []
    watcher = None
    try:
        server = stack.serve()
        url = server.ws_url(seat_map_path(event_id))
        watcher = await SeatMapClient.open(url, on_change)
        seat_ids = [s["id"] for s in watcher.snapshot["seats"]][: options.expiry_holds]
        holders, failed = await open_many([url], len(seat_ids), ignore)
        if failed:
            raise RuntimeError(f"{failed} holder sockets failed to connect")
        ctx.progress(
            f"expiry: {len(holders)} holds of {options.expiry_hold_seconds}s "
            f"starting over {options.expiry_spread:g}s"
        )
        expiries: dict[int, float] = {}
        step = options.expiry_spread / max(1, len(holders))
        began = time.monotonic()

        async def hold(i: int, client: SeatMapClient, seat_id: int) -> None:
            await asyncio.sleep(max(0.0, began + i * step - time.monotonic()))
            reply = await client.request({"type": "hold", "seat_ids": [seat_id]})
            if reply["type"] != "hold.ok":
                raise RuntimeError(f"hold failed: {reply}")
            expiries[seat_id] = _epoch(reply["held_until"])

        await asyncio.gather(
            *(
                hold(i, c, s)
                for i, (c, s) in enumerate(zip(holders, seat_ids, strict=True))
            )
        )
        deadline = max(expiries.values()) + 10
        while time.time() < deadline and not expiries.keys() <= freed.keys():
            await asyncio.sleep(0.1)
        missing = len(expiries.keys() - freed.keys())
        delays = [freed[s] - e for s, e in expiries.items() if s in freed]
        ctx.progress(f"expiry: {len(delays)} seen free, {missing} never")
    finally:
        await close_many(holders)
        if watcher is not None:
            await watcher.close()
        stack.stop_all()

    ours = _summary(delays)
    old = _summary(simulate_polling(list(expiries.values()), sweep_first=True))
    poll_only = _summary(simulate_polling(list(expiries.values()), sweep_first=False))
    return {
        "holds": len(expiries),
        "missing": missing,
        "early": sum(d < 0 for d in delays),
        "hold_seconds": options.expiry_hold_seconds,
        "spread_seconds": options.expiry_spread,
        "sweep_seconds": 1.0,
        "ours": ours,
        "polling": {
            "sweep_seconds": OLD_SWEEP_SECONDS,
            "poll_seconds": OLD_POLL_SECONDS,
            "trials": TRIALS,
            **old,
        },
        "poll_only": {"poll_seconds": OLD_POLL_SECONDS, **poll_only},
        "polling_over_ours_p99": ratio(old["p99_s"], ours["p99_s"]),
        "polling_over_ours_p50": ratio(old["p50_s"], ours["p50_s"]),
    }


def simulate_polling(expiries: list[float], *, sweep_first: bool) -> list[float]:
    """Delays in the polling design, for random sweeper and browser phases.

    With `sweep_first`, a seat shows as free only after the 60 s sweeper has
    cleared it and the browser's next 3 s poll has fetched it; without, the
    poll alone (a snapshot that derives status from time, as ours does).
    """
    rng = random.Random(42)
    delays = []
    for _ in range(TRIALS):
        sweep_phase = rng.uniform(0, OLD_SWEEP_SECONDS)
        for expiry in expiries:
            visible = expiry
            if sweep_first:
                visible = _next_tick(expiry, OLD_SWEEP_SECONDS, sweep_phase)
            poll_phase = rng.uniform(0, OLD_POLL_SECONDS)
            delays.append(_next_tick(visible, OLD_POLL_SECONDS, poll_phase) - expiry)
    return delays


def _next_tick(moment: float, period: float, phase: float) -> float:
    """The first `phase + k * period` at or after `moment`."""
    ticks = -((phase - moment) // period)
    return phase + ticks * period


def _summary(delays: list[float]) -> dict:
    if not delays:
        return {"count": 0, "p50_s": None, "p99_s": None, "max_s": None}
    return {
        "count": len(delays),
        "p50_s": round(percentile(delays, 50), 3),
        "p99_s": round(percentile(delays, 99), 3),
        "max_s": round(max(delays), 3),
    }
