"""Per-process fan-out: one channel-layer subscription per event, many sockets.

The standard Channels pattern puts every socket in the event's group, so one
change becomes N channel-layer messages and N consumer wake-ups. Here each
process joins the group once, with one channel of its own, and hands the
already-serialised frame to each local socket. The hub maps groups to their
sockets and, for events, to their `Stream` (realtime.streams), which puts
changes in order and through the broadcast window.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from dataclasses import dataclass
from typing import Any, Protocol

from channels.layers import get_channel_layer
from django.conf import settings

import metrics
from realtime.db import db_call
from realtime.streams import Change, Stream
from seats import catchup

logger = logging.getLogger(__name__)

# How long a group stays joined after its last local socket left, so a quick
# reconnect does not race a leave against a join.
LINGER_SECONDS = 30.0
# The staff dashboard's group: every change of every event, as activity.
STAFF_GROUP = "staff"
# How long a new socket waits for its group to be joined before it is served
# anyway (local changes and heartbeats still reach it), and the backoff of
# the joins that go on in the background meanwhile.
JOIN_WAIT_SECONDS = 3.0
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0
# The messages of an event's stream: in version order, windowed, folded.
ORDERED = frozenset({"seats.changed", "plan.changed"})
# The lag histogram's two children, bound once: every change passes here.
_LAG_VIA = {via: metrics.BROADCAST_LAG.labels(via) for via in ("hub", "layer")}


class Subscriber(Protocol):
    """Gets a group's frames; may also offer `push`, a plain callable that
    sends a frame at once, which the fan-out then uses instead."""

    async def deliver(self, text: str) -> None: ...


def event_group(event_id: int) -> str:
    return f"event.{event_id}"


def event_of_group(group: str) -> int | None:
    """The event id of an `event_group` name, or None for other groups."""
    prefix, _, rest = group.partition(".")
    return int(rest) if prefix == "event" and rest.isdigit() else None


@dataclass(eq=False)
class _Group:
    """A group this process is in: its local sockets, the join, and (for an
    event) the stream that orders its changes."""

    members: set[Subscriber]
    joining: asyncio.Task[None]
    stream: Stream | None = None
    # Set while a fan-out to this group is written in chunks: the next waits
    # for it, so every socket gets the group's frames in the order sent.
    writing: asyncio.Future[None] | None = None


class Hub:
    """Lives on one event loop; created by `get_hub()` on first use.

    It maps group names to their local members and streams (realtime.streams
    orders, catches up, windows and folds an event's changes), and keeps the
    process's one channel on the layer: joining, renewing, reading.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self._groups: dict[str, _Group] = {}
        self._link: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        # Marks messages this process published: it delivered them to its
        # own sockets already, and skips the copy the layer hands back.
        self.origin = uuid.uuid4().hex

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
        """Registers `subscriber` for `group`; never raises on a layer failure.

        Local broadcasts and heartbeats reach the subscriber at once. It
        normally returns once this process is in the layer's group too; if
        the layer does not answer within JOIN_WAIT_SECONDS (Redis down), it
        returns anyway and the join goes on in the background until it
        succeeds. Changes from other processes missed meanwhile show up as a
        version gap or a heartbeat, which make the client resync.
        """
        self._start()
        known = self._groups.get(group)
        if known is None:
            known = self._groups[group] = _Group(
                set(), self.loop.create_task(self._join(group))
            )
        known.members.add(subscriber)
        if known.joining.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(known.joining), JOIN_WAIT_SECONDS)
        except TimeoutError:
            logger.warning("group %s not joined yet; still trying", group)

    async def _join(self, group: str) -> None:
        """Joins the layer's group, retrying with backoff until it is joined."""
        await asyncio.shield(self._linked())
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                await self.layer.group_add(group, self.channel)
                return
            except Exception:
                logger.warning(
                    "joining group %s failed; retrying in %.1f s",
                    group,
                    delay,
                    exc_info=True,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)

    def unsubscribe(self, group: str, subscriber: Subscriber) -> None:
        known = self._groups.get(group)
        if known is None:
            return
        known.members.discard(subscriber)
        if not known.members:
            self.loop.call_later(LINGER_SECONDS, self._leave_if_empty, group)

    def groups(self) -> list[str]:
        """The groups that have local subscribers now."""
        return [name for name, known in self._groups.items() if known.members]

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Hand one message's frame to every local subscriber of its group.

        An event's changes go through its stream (in version order, through
        the broadcast window); everything else goes out as it came. Under
        daphne a send only appends to the socket's buffer and never waits,
        so one pass over the sockets, in the reader's own task, is the
        cheapest fan-out; a client that stops reading is cut off by the
        transport (realtime.transport), not waited for here.
        """
        committed_at = message.get("committed_at")
        if committed_at is not None:
            via = "hub" if message.get("origin") == self.origin else "layer"
            _LAG_VIA[via].observe(max(0.0, time.time() - committed_at))
        name = message.get("group", "")
        known = self._groups.get(name)
        if known is None or not known.members:
            if known is not None and known.stream is not None:
                # Nobody here to keep in order: the next socket starts afresh.
                known.stream.close()
                known.stream = None
            return
        kind = message.get("type")
        if kind not in ORDERED:
            await self._fan_out(known, message["text"])
            return
        if known.stream is None:
            known.stream = self._stream(name, known)
        await known.stream.push(
            Change(message["version"], message["text"], message.get("frame"), kind)
        )

    def _stream(self, name: str, known: _Group) -> Stream:
        event_id = event_of_group(name)

        async def deliver(text: str) -> float:
            return await self._fan_out(known, text)

        async def read_back(after: int) -> catchup.CatchUp | None:
            if event_id is None:
                return None
            return await db_call(catchup.catch_up)(event_id=event_id, after=after)

        return Stream(self.loop, deliver, read_back)

    async def _fan_out(self, known: _Group, text: str) -> float:
        """`text` to every member of the group, SEAT_FANOUT_CHUNK sockets at a
        time with a turn of the loop in between; returns the seconds spent
        writing (the turns in between not counted).

        A fan-out to thousands of sockets takes tens of milliseconds of a
        busy worker; written in one pass, every click that arrives meanwhile
        (and every answer the loop's database connections got) waits for
        the last socket. In chunks they are read between two. A group's
        fan-outs never overlap, so no socket gets two frames out of order.
        """
        chunk = settings.SEAT_FANOUT_CHUNK
        if known.writing is None and (chunk <= 0 or len(known.members) <= chunk):
            return await _write(tuple(known.members), text)
        previous = known.writing
        done: asyncio.Future[None] = self.loop.create_future()
        known.writing = done
        spent = 0.0
        try:
            if previous is not None:
                await asyncio.shield(previous)
            members = tuple(known.members)
            step = chunk if chunk > 0 else max(1, len(members))
            for start in range(0, len(members), step):
                if start:
                    await asyncio.sleep(0)
                spent += await _write(members[start : start + step], text)
        finally:
            if not done.done():
                done.set_result(None)
            if known.writing is done:
                known.writing = None
        return spent

    def _leave_if_empty(self, name: str) -> None:
        known = self._groups.get(name)
        if known is None or known.members:
            return
        del self._groups[name]
        if known.stream is not None:
            known.stream.close()
        if _joined_ok(known.joining):
            self.loop.create_task(self.layer.group_discard(name, self.channel))
        else:
            known.joining.cancel()

    def _start(self) -> None:
        """Starts linking this process to the layer, once; never waits."""
        if self._link is None:
            self._link = self.loop.create_task(self._connect())

    def _linked(self) -> asyncio.Task[None]:
        self._start()
        assert self._link is not None
        return self._link

    async def _connect(self) -> None:
        """Gets the hub's channel, retrying while the layer is down, then reads."""
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                self.channel = await self.layer.new_channel("hub.")
                break
            except Exception:
                logger.warning(
                    "channel layer unreachable; retrying in %.1f s",
                    delay,
                    exc_info=True,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)
        self._reader = self.loop.create_task(self._read())
        if self.renew_seconds is not None:
            self._renewer = self.loop.create_task(self._renew())

    async def _renew(self) -> None:
        interval = self.renew_seconds
        assert interval is not None
        while True:
            await asyncio.sleep(interval)
            joined = [n for n, k in self._groups.items() if _joined_ok(k.joining)]
            for name in joined:
                try:
                    await self.layer.group_add(name, self.channel)
                except Exception:  # the next round tries again
                    logger.warning("renewing group %s failed", name, exc_info=True)

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


async def _write(members: tuple[Subscriber, ...], text: str) -> float:
    """`text` to each of `members`, without a turn of the loop for those
    that offer `push`; returns the seconds it took.

    Timed twice: by the wall clock, and by this thread's CPU clock, which
    stops while the thread waits for a core. On a saturated machine a
    fan-out takes far longer than its CPU (docs/operations.md).
    """
    started = time.perf_counter()
    cpu_started = time.thread_time()
    for subscriber in members:
        try:
            # A live socket offers a plain call straight to its transport
            # (`push`): per socket and per broadcast, no coroutine.
            push = getattr(subscriber, "push", None)
            if push is not None:
                push(text)
            else:
                await subscriber.deliver(text)
        except Exception:  # a socket closing under us; the others go on
            logger.debug("delivery to %r failed", subscriber, exc_info=True)
    spent = time.perf_counter() - started
    metrics.BROADCAST_WRITE.observe(spent)
    metrics.BROADCAST_WRITE_CPU.inc(max(0.0, time.thread_time() - cpu_started))
    return spent


def _joined_ok(joining: asyncio.Task[None]) -> bool:
    return joining.done() and not joining.cancelled() and not joining.exception()


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
