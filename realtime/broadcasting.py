"""Turning committed seat changes into frames on the channel layer.

The only code that publishes to the channel layer. It receives the domain's
`seats_changed` signal (sent after commit), serialises the frame once, and
sends one message per event group (read by each process's hub) and one to
the staff group.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from channels.layers import get_channel_layer

from realtime.hub import event_group, server_loop
from realtime.protocol import dumps
from seats.signals import SeatChange
from seats.timefmt import iso

logger = logging.getLogger(__name__)

STAFF_GROUP = "staff"
PUBLISH_TIMEOUT = 5.0


def seats_changed_frame(change: SeatChange) -> str:
    return dumps(
        {
            "type": "seats.changed",
            "event": change.event_id,
            "version": change.version,
            "reason": change.reason,
            "seats": [seat.as_wire() for seat in change.seats],
        }
    )


def activity_frame(change: SeatChange) -> str:
    return dumps(
        {
            "type": "activity",
            "event": change.event_id,
            "version": change.version,
            "reason": change.reason,
            "holder": change.holders[0] if len(change.holders) == 1 else None,
            "holders": list(change.holders),
            "at": iso(change.at),
            "seats": [{"id": s.id, "label": s.label} for s in change.seats],
        }
    )


def on_seats_changed(sender, change: SeatChange, **kwargs) -> None:
    """Receiver of `seats.signals.seats_changed`; runs after commit."""
    group = event_group(change.event_id)
    publish(
        group,
        {"type": "seats.changed", "group": group, "text": seats_changed_frame(change)},
    )
    publish(STAFF_GROUP, {"type": "staff.activity", "text": activity_frame(change)})


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
