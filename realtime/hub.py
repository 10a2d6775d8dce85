"""Per-process fan-out: one channel-layer subscription per event, many sockets.

The standard Channels pattern puts every socket in the event's group, so one
change becomes N channel-layer messages and N consumer wake-ups. Here each
process joins the group once, with one channel of its own, and hands the
already-serialised frame to each local socket.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
import weakref
from typing import Protocol

from channels.layers import get_channel_layer
from django.conf import settings

from realtime.db import db_call
from realtime.sequencing import Sequencer
from seats import catchup, metrics
from wire import frames

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
# How long changes wait for a version before them that has not come (a lost
# publish) before the hub reads it back from the database; the bundled client
# waits 1 s before it resyncs over a gap.
GAP_WAIT_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0


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
        # One join task per group: done once this process is in the group.
        self._joined: dict[str, asyncio.Task[None]] = {}
        self._link: asyncio.Task[None] | None = None
        self._reader: asyncio.Task | None = None
        self._renewer: asyncio.Task | None = None
        # Marks messages this process published: it delivered them to its
        # own sockets already, and skips the copy the layer hands back.
        self.origin = uuid.uuid4().hex
        # seats.changed texts waiting out the broadcast window, per group.
        self._waiting: dict[str, list[str]] = {}
        self._flushes: dict[str, asyncio.Task[None]] = {}
        # Per group: changes put back in version order (realtime.sequencing).
        self._sequencers: dict[str, Sequencer] = {}
        self._gap_timers: dict[str, asyncio.TimerHandle] = {}
        self._catching_up: set[str] = set()

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
        self._members.setdefault(group, set()).add(subscriber)
        joining = self._joined.get(group)
        if joining is None:
            joining = self._joined[group] = self.loop.create_task(self._join(group))
        if joining.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(joining), JOIN_WAIT_SECONDS)
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
        members = self._members.get(group)
        if members is None:
            return
        members.discard(subscriber)
        if not members:
            self.loop.call_later(LINGER_SECONDS, self._leave_if_empty, group)

    def groups(self) -> list[str]:
        """The groups that have local subscribers now."""
        return [group for group, members in self._members.items() if members]

    def joined(self, group: str) -> bool:
        """Whether this process is in the layer's `group` now."""
        joining = self._joined.get(group)
        return joining is not None and _joined_ok(joining)

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
        group = message.get("group", "")
        if not self._members.get(group):
            # Nobody here to keep in order: the next socket starts afresh.
            self._forget_order(group)
            return
        if message.get("type") != "seats.changed":
            await self._deliver(group, message["text"])
            return
        version = message.get("version")
        if version is None:  # from a publisher that predates ordering
            texts = [message["text"]]
        else:
            sequencer = self._sequencers.setdefault(group, Sequencer())
            texts = sequencer.add(version, message["text"])
            self._watch_gap(group, sequencer)
        for text in self._route(group, texts):
            await self._deliver(group, text)

    def _route(self, group: str, texts: list[str]) -> list[str]:
        """Of changes in order, those to send now; the rest wait in the window."""
        now = []
        for text in texts:
            if self._window_open(group):
                self._waiting[group].append(text)
            else:
                now.append(text)
        return now

    def _watch_gap(self, group: str, sequencer: Sequencer) -> None:
        if group in self._catching_up:
            return  # _catch_up watches again when it is done
        timer = self._gap_timers.get(group)
        if sequencer.waiting and timer is None:
            self._gap_timers[group] = self.loop.call_later(
                GAP_WAIT_SECONDS, self._gap_timeout, group
            )
        elif not sequencer.waiting and timer is not None:
            timer.cancel()
            del self._gap_timers[group]

    def _gap_timeout(self, group: str) -> None:
        self._gap_timers.pop(group, None)
        sequencer = self._sequencers.get(group)
        if sequencer is None or group in self._catching_up:
            return
        metrics.BROADCAST_GAPS.inc(sequencer.missing)
        self._catching_up.add(group)
        self.loop.create_task(self._catch_up(group, sequencer))

    async def _catch_up(self, group: str, sequencer: Sequencer) -> None:
        """A version did not come in time (a publish lost on the way).

        What the event's changes since did is read back from the database
        and sent as one coalesced frame, so the sockets stay in step without
        a resync; what waited behind the gap and is covered by it is dropped.
        Only if the database cannot say (down, or a new seating plan in the
        range) is the rest passed on with the gap, for clients to resync.
        """
        try:
            caught = await self._read_back(group, sequencer)
            if self._sequencers.get(group) is not sequencer:
                return  # the group was forgotten meanwhile
            if caught is None:
                metrics.BROADCAST_CATCHUPS.labels("skipped").inc()
                texts = sequencer.give_up()
            else:
                metrics.BROADCAST_CATCHUPS.labels("filled").inc()
                texts = [
                    frames.dumps(frames.caught_up(caught)),
                    *sequencer.caught_up(caught.version),
                ]
            self._chain(group, self._route(group, texts))
        finally:
            self._catching_up.discard(group)
            # The group's sequencer now (a new one if it was forgotten and
            # made again meanwhile): its gaps were not watched while this ran.
            current = self._sequencers.get(group)
            if current is not None:
                self._watch_gap(group, current)

    async def _read_back(
        self, group: str, sequencer: Sequencer
    ) -> catchup.CatchUp | None:
        event_id = event_of_group(group)
        if event_id is None or sequencer.next is None:
            return None
        try:
            return await db_call(catchup.catch_up)(
                event_id=event_id, after=sequencer.next - 1
            )
        except Exception:
            logger.warning("reading back %s failed", group, exc_info=True)
            return None

    def _forget_order(self, group: str) -> None:
        self._sequencers.pop(group, None)
        timer = self._gap_timers.pop(group, None)
        if timer is not None:
            timer.cancel()

    def _window_open(self, group: str) -> bool:
        """Whether this change must wait for the group's broadcast window.

        A throttle with a leading edge: a change to a quiet event goes out at
        once and opens a window; changes within it wait for its end and go as
        one frame per run, which opens the next window. So a quiet event costs
        no latency and a busy one at most one frame per window per socket.
        """
        if group in self._waiting:
            return True
        window = settings.SEAT_BROADCAST_WINDOW_SECONDS
        if window > 0:
            self._waiting[group] = []
            self.loop.call_later(window, self._flush_later, group)
        return False

    def _flush_later(self, group: str) -> None:
        texts = self._waiting.pop(group, [])
        if texts:
            # What waited goes now and opens the next window.
            self._waiting[group] = []
            self.loop.call_later(
                settings.SEAT_BROADCAST_WINDOW_SECONDS, self._flush_later, group
            )
            self._chain(group, texts)

    def _chain(self, group: str, texts: list[str]) -> None:
        """Send `texts` (folded) after the group's previous flush is done, so
        frames keep their order even if a flush is still writing."""
        if not texts:
            return
        previous = self._flushes.get(group)
        self._flushes[group] = self.loop.create_task(
            self._flush(group, texts, previous)
        )

    async def _flush(
        self, group: str, texts: list[str], previous: asyncio.Task | None
    ) -> None:
        """The changes that waited out the window: one frame per unbroken run.

        One change alone goes out as it came (its text, not parsed); several
        are parsed once here, folded by `frames.coalesced` and serialised
        once for every socket of the group.
        """
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        if len(texts) == 1:
            await self._deliver(group, texts[0])
            return
        changes = [json.loads(text) for text in texts]
        for frame in frames.coalesced(changes):
            await self._deliver(group, frames.dumps(frame))

    async def _deliver(self, group: str, text: str) -> None:
        for subscriber in tuple(self._members.get(group, ())):
            try:
                await subscriber.deliver(text)
            except Exception:  # a socket closing under us; the others go on
                logger.debug("delivery to %r failed", subscriber, exc_info=True)

    def _leave_if_empty(self, group: str) -> None:
        joining = self._joined.get(group)
        if self._members.get(group) or joining is None:
            return
        del self._members[group]
        del self._joined[group]
        self._flushes.pop(group, None)
        self._forget_order(group)
        if _joined_ok(joining):
            self.loop.create_task(self.layer.group_discard(group, self.channel))
        else:
            joining.cancel()

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
            for group in [g for g, t in self._joined.items() if _joined_ok(t)]:
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
