"""Turning committed seat changes into frames on the channel layer.

The only code that publishes to the channel layer. It receives the domain's
`seats_changed` signal (sent after commit), serialises each frame once
through `wire.frames`, and sends one message to the event's group and one
to the staff group; each process's hub reads both and hands the text to its
local sockets.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from channels.layers import get_channel_layer

from realtime.hub import STAFF_GROUP, event_group, server_loop
from seats.signals import SeatChange
from wire import frames

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 5.0


def on_seats_changed(sender, change: SeatChange, **kwargs) -> None:
    """Receiver of `seats.signals.seats_changed`; runs after commit."""
    group = event_group(change.event_id)
    text = frames.dumps(frames.seats_changed(change))
    publish(group, {"type": "seats.changed", "group": group, "text": text})
    text = frames.dumps(frames.activity(change))
    publish(STAFF_GROUP, {"type": "staff.activity", "group": STAFF_GROUP, "text": text})


def publish(group: str, message: dict) -> None:
    """Send to a group from any thread, without blocking the serving loop.

    In the serving process the send runs on the serving loop (the in-memory
    layer is not thread-safe, and the loop's Redis connections are reused).
    Elsewhere (a management command, the standalone sweeper) it runs on one
    long-lived publisher loop, and waits, so a command never exits before
    its announcements are out.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    loop = server_loop()
    if loop is None:
        future = asyncio.run_coroutine_threadsafe(
            layer.group_send(group, message), _publisher_loop()
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
    if running is loop:
        task = loop.create_task(layer.group_send(group, message))
        task.add_done_callback(_log_failure)
    else:
        future = asyncio.run_coroutine_threadsafe(
            layer.group_send(group, message), loop
        )
        future.add_done_callback(_log_failure)


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


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error(
            "publishing to the channel layer failed", exc_info=future.exception()
        )
