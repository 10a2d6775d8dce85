"""Heartbeats: every few seconds, each event's current version to its sockets.

A broadcast can be lost (a Redis blip; a sweeper killed between its commit
and its announcement), and a client only notices a lost frame when a later
one shows a gap. The heartbeat carries the version the database has now, so
a client that is behind resyncs within seconds even if nothing else changes.
Heartbeats go from each process's hub straight to its local sockets, not
through the channel layer, so they keep coming while Redis is down.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from django.conf import settings
from django.utils import timezone

from realtime.db import db_call
from realtime.hub import Hub, event_of_group
from seats import selectors
from wire import frames

logger = logging.getLogger(__name__)

_running: weakref.WeakKeyDictionary[Hub, asyncio.Task[None]] = (
    weakref.WeakKeyDictionary()
)


def ensure_heartbeats(hub: Hub) -> None:
    """Start the hub's heartbeat loop once (no-op when heartbeats are off)."""
    interval = settings.SEAT_HEARTBEAT_SECONDS
    task = _running.get(hub)
    if interval <= 0 or (task is not None and not task.done()):
        return
    _running[hub] = hub.loop.create_task(_beat_forever(hub, interval))


async def beat(hub: Hub) -> int:
    """Send one heartbeat to every local socket; returns how many events got one."""
    groups = {event_of_group(g): g for g in hub.groups()}
    groups.pop(None, None)
    if not groups:
        return 0
    versions = await db_call(selectors.event_versions)(groups)
    now = timezone.now()
    for event_id, version in versions.items():
        text = frames.dumps(frames.heartbeat(event_id, version, now))
        await hub.dispatch({"group": groups[event_id], "text": text})
    return len(versions)


async def _beat_forever(hub: Hub, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await beat(hub)
        except Exception:  # a database blip: the next beat tries again
            logger.warning("heartbeat failed", exc_info=True)
