"""Per-process fan-out: one channel-layer subscription per event, many sockets.

The standard Channels pattern puts every socket in the event's group, so one
change becomes N channel-layer messages and N consumer wake-ups. Here each
process joins the group once, with one channel of its own, and hands the
already-serialised frame to each local socket.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from typing import Protocol

from channels.layers import get_channel_layer

from seats import metrics

logger = logging.getLogger(__name__)

# How long a group stays joined after its last local socket left, so a quick
# reconnect does not race a leave against a join.
LINGER_SECONDS = 30.0
# The staff dashboard's group: every change of every event, as activity.
STAFF_GROUP = "staff"


class Subscriber(Protocol):
    async def deliver(self, text: str) -> None: ...


def event_group(event_id: int) -> str:
    return f"event.{event_id}"


def event_of_group(group: str) -> int | None:
    """The event id of an `event_group` name, or None for other groups."""
    prefix, _, rest = group.partition(".")
    return int(rest) if prefix == "event" and rest.isdigit() else None


class Hub:
    """Lives on one event loop; created by `get_hub()` on first use."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self._members: dict[str, set[Subscriber]] = {}
        self._joined: dict[str, asyncio.Future] = {}
        self._reader: asyncio.Task | None = None
        self._renewer: asyncio.Task | None = None
        # Marks messages this process published: it delivered them to its
        # own sockets already, and skips the copy the layer hands back.
        self.origin = uuid.uuid4().hex
        self._start_lock = asyncio.Lock()

    @property
    def renew_seconds(self) -> float | None:
        """How often joined groups are joined again, or None if they never expire.

        The in-memory and Redis core layers forget a group member after
        `group_expiry` seconds (a day by default), even one that still reads:
        without renewal a process whose event always has a viewer would go
        deaf after a day. Renewing at a third of the expiry leaves room for
        a slow or failed renewal.
        """
        expiry = getattr(self.layer, "group_expiry", None)
        return expiry / 3 if expiry else None

    async def subscribe(self, group: str, subscriber: Subscriber) -> None:
        """Returns once this process receives every later message of `group`."""
        await self._start()
        self._members.setdefault(group, set()).add(subscriber)
        try:
            await self._join(group)
        except BaseException:
            # Not subscribed after all: no dead member for later broadcasts.
            self._members.get(group, set()).discard(subscriber)
            raise

    async def _join(self, group: str) -> None:
        joined = self._joined.get(group)
        if joined is None:
            joined = self._joined[group] = self.loop.create_future()
            try:
                await self.layer.group_add(group, self.channel)
            except BaseException as error:
                del self._joined[group]
                joined.set_exception(error)
                joined.exception()  # mark retrieved; the caller sees `error`
                raise
            joined.set_result(True)
        else:
            await asyncio.shield(joined)

    def unsubscribe(self, group: str, subscriber: Subscriber) -> None:
        members = self._members.get(group)
        if members is None:
            return
        members.discard(subscriber)
        if not members:
            self.loop.call_later(LINGER_SECONDS, self._leave_if_empty, group)

    def groups(self) -> list[str]:
        """The groups that have local subscribers now."""
        return [group for group, members in self._members.items() if members]

    def local_count(self, group: str) -> int:
        return len(self._members.get(group, ()))

    async def dispatch(self, message: dict) -> None:
        """Hand one layer message's frame to every local subscriber of its group.

        Under daphne a send only appends to the socket's buffer and never
        waits, so one pass over the sockets, in the reader's own task, is the
        cheapest fan-out; a client that stops reading is cut off by the
        transport (realtime.transport), not waited for here.
        """
        committed_at = message.get("committed_at")
        if committed_at is not None:
            metrics.BROADCAST_LAG.observe(max(0.0, time.time() - committed_at))
        members = self._members.get(message.get("group", ""))
        if not members:
            return
        text = message["text"]
        for subscriber in tuple(members):
            try:
                await subscriber.deliver(text)
            except Exception:  # a socket closing under us; the others go on
                logger.debug("delivery to %r failed", subscriber, exc_info=True)

    def _leave_if_empty(self, group: str) -> None:
        if self._members.get(group) or group not in self._joined:
            return
        del self._members[group]
        del self._joined[group]
        self.loop.create_task(self.layer.group_discard(group, self.channel))

    async def _start(self) -> None:
        if self._reader is not None:
            return
        async with self._start_lock:
            if self._reader is None:
                self.channel = await self.layer.new_channel("hub.")
                self._reader = self.loop.create_task(self._read())
                if self.renew_seconds is not None:
                    self._renewer = self.loop.create_task(self._renew())

    async def _renew(self) -> None:
        interval = self.renew_seconds
        assert interval is not None
        while True:
            await asyncio.sleep(interval)
            for group in [g for g, f in self._joined.items() if f.done()]:
                try:
                    await self.layer.group_add(group, self.channel)
                except Exception:  # the next round tries again
                    logger.warning("renewing group %s failed", group, exc_info=True)

    async def _read(self) -> None:
        failures = 0
        while True:
            try:
                message = await self.layer.receive(self.channel)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                # One failure may be a read timeout: retry at once; only a
                # repeated one is an outage worth backing off from.
                failures += 1
                logger.warning(
                    "hub receive failed (%d); retrying", failures, exc_info=True
                )
                if failures > 1:
                    await asyncio.sleep(0.5)
                continue
            if message.get("origin") == self.origin:
                continue
            try:
                await self.dispatch(message)
            except Exception:
                logger.exception("hub dispatch failed")


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = (
    weakref.WeakKeyDictionary()
)
_server_loop: asyncio.AbstractEventLoop | None = None


def get_hub() -> Hub:
    """The hub of the running loop (the serving process has exactly one)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(loop)
    return hub


def existing_hub() -> Hub | None:
    """The serving loop's hub if it has one (no socket ever subscribed: None)."""
    loop = server_loop()
    return _hubs.get(loop) if loop is not None else None


def set_server_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """Name the loop this process serves sockets on (see realtime.serving).

    Registered before the server or the sweeper starts, so every publish of
    the process, from any thread, runs on that one loop: the in-memory layer
    is not thread-safe.
    """
    global _server_loop
    _server_loop = loop


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The loop sockets are served on in this process, if any."""
    loop = _server_loop
    if loop is None or loop.is_closed():
        return None
    return loop
