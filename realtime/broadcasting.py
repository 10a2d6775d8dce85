"""Turning committed seat changes into frames on the channel layer.

The only code that publishes to the channel layer. It receives the domain's
`seats_changed` signal (sent after commit), serialises each frame once
through `wire.frames`, and sends one message to the event's group and one
to the staff group; each process's hub reads both and hands the text to its
local sockets.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from typing import Any

from channels.layers import get_channel_layer

import metrics
from realtime import pipelined
from realtime.hub import STAFF_GROUP, Hub, event_group, existing_hub, server_loop
from seats.services.changes import PLAN_CHANGED
from seats.signals import SeatChange
from wire import dashboard_frames, frames, queue_frames, shapes

logger = logging.getLogger(__name__)

# A command waits this long for its announcements (retries included).
PUBLISH_TIMEOUT = 10.0


def on_seats_changed(sender: object, change: SeatChange, **kwargs: Any) -> None:
    """Receiver of `seats.signals.seats_changed`; runs after commit.

    A seat change goes out as `seats.changed`; a change of the event's plan
    as `plan.changed` (clients reload the map), in the same ordered stream.
    """
    metrics.SEAT_CHANGES.labels(change.reason).inc(len(change.seats))
    group = event_group(change.event_id)
    frame: shapes.SeatsChangedFrame | shapes.PlanChangedFrame
    if change.reason == PLAN_CHANGED:
        frame = frames.plan_changed(change.event_id, change.version)
    else:
        frame = frames.seats_changed(change)
    # committed_at: wall clock, so another process of the host can tell the lag.
    message = {
        "type": frame["type"],
        "group": group,
        "text": frames.dumps(frame),
        # The receiving hubs put changes back in order by it.
        "version": change.version,
        "committed_at": time.time(),
    }
    # This process's own sockets get the frame as built: nothing to parse.
    publish(group, message, local={"frame": frame})
    text = frames.dumps(dashboard_frames.activity(change))
    publish(STAFF_GROUP, {"type": "staff.activity", "group": STAFF_GROUP, "text": text})


def on_queue_changed(
    sender: object, event_id: int, version: int, **kwargs: Any
) -> None:
    """Receiver of `seats.signals.queue_changed`: the event's waiting pages
    re-read their places, and dashboards refresh their figures."""
    text = frames.dumps(queue_frames.queue_changed(event_id, version))
    group = f"queue.{event_id}"
    publish(group, {"type": "queue.changed", "group": group, "text": text})
    publish(STAFF_GROUP, {"type": "staff.queue", "group": STAFF_GROUP, "text": text})


def publish(
    group: str, message: dict[str, Any], local: dict[str, Any] | None = None
) -> None:
    """Send to a group from any thread, without blocking the serving loop.

    `local` is added to the message for this process's own hub only (what
    is not worth its bytes on the layer, such as the frame already built).

    In the serving process the send runs on the serving loop (the in-memory
    layer is not thread-safe, and the loop's Redis connections are reused),
    and the process's own sockets get the frame straight from its hub,
    whether or not the channel layer answers. On Redis pub/sub the message
    is handed to Redis first, written at the start of the loop's next turn
    (realtime.pipelined): the other workers' streams wait for it, and
    writing to thousands of local sockets takes a while. Elsewhere (a
    management command, the standalone sweeper) it runs on one long-lived publisher
    loop, and waits, so a command never exits before its announcements are
    out.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    loop = server_loop()
    if loop is None:
        future = asyncio.run_coroutine_threadsafe(
            send_with_retry(layer, group, message), _publisher_loop()
        )
        try:
            future.result(timeout=PUBLISH_TIMEOUT)
        except Exception:
            logger.exception("publishing to the channel layer failed")
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None

    def start() -> None:
        hub = existing_hub()
        tagged = message
        if hub is not None:
            # Tagged, so this hub skips the copy the layer hands back to it.
            tagged = {**message, "origin": hub.origin}
        if pipelined.supports(layer):
            # Other workers first: written to Redis now, before the local
            # sockets take this loop's turn (their streams wait for it).
            pipelined.pipeline_for(
                layer, timeout=SEND_TIMEOUT, retry_seconds=RETRY_SECONDS
            ).send(group, tagged)
            if hub is None:
                return
        # A fresh context: the announcement must not inherit the caller's
        # (a database thread's context makes asgiref refuse the next
        # database call of a socket the frame reaches).
        task = loop.create_task(
            _announce(layer, group, tagged, local or {}, hub),
            context=contextvars.Context(),
        )
        _pending.add(task)
        task.add_done_callback(_done)

    if running is loop:
        start()
    else:
        loop.call_soon_threadsafe(start)


async def _announce(
    layer: Any,
    group: str,
    message: dict[str, Any],
    local: dict[str, Any],
    hub: Hub | None,
) -> None:
    """Local sockets straight from the hub; then, unless Redis pub/sub took
    it already (`publish`), every other process through the layer."""
    if hub is not None:
        await hub.dispatch({**message, **local})
    if not pipelined.supports(layer):
        await send_with_retry(layer, group, message)


async def send_with_retry(layer: Any, group: str, message: dict[str, Any]) -> bool:
    """group_send, tried again on a fresh connection when it fails.

    A stale connection after a Redis blip fails the first send; the layer
    opens a new one for the next. After the last retry the change is given
    up on here: the heartbeat's version tells the clients to resync.
    """
    for attempt, delay in enumerate((0.0, *RETRY_SECONDS)):
        if delay:
            await asyncio.sleep(delay)
        try:
            # Bounded: with Redis gone a send can wait on a dead connection.
            await asyncio.wait_for(layer.group_send(group, message), SEND_TIMEOUT)
            return True
        except Exception as error:
            metrics.PUBLISH_FAILURES.labels("retried").inc()
            logger.warning(
                "publish to %s failed (attempt %d): %r", group, attempt + 1, error
            )
    metrics.PUBLISH_FAILURES.labels("given_up").inc()
    logger.error("publish to %s given up; the heartbeat will resync clients", group)
    return False


# A send that takes longer has failed, and is tried again.
SEND_TIMEOUT = 3.0
# Pauses between retries of a failed publish: about 8 s in all.
RETRY_SECONDS = (0.05, 0.2, 0.5, 1.0, 2.0, 4.0)
# Tasks of the serving loop still announcing (the loop keeps them only weakly).
_pending: set[asyncio.Future[None]] = set()


_own_loop: asyncio.AbstractEventLoop | None = None
_own_loop_lock = threading.Lock()


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """A loop on a daemon thread, for processes that serve no sockets."""
    global _own_loop
    with _own_loop_lock:
        if _own_loop is None or _own_loop.is_closed():
            _own_loop = asyncio.new_event_loop()
            threading.Thread(
                target=_own_loop.run_forever, name="channel-publisher", daemon=True
            ).start()
        return _own_loop


def _done(future: Any) -> None:
    _pending.discard(future)
    if not future.cancelled() and future.exception() is not None:
        logger.error("announcing a change failed", exc_info=future.exception())
