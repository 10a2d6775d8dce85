"""Publishing to Redis pub/sub from the serving loop: at once, in order.

channels_redis's pub/sub layer sends one PUBLISH at a time under a lock and
waits for each reply before the next. On a busy serving loop every reply
waits for the loop's next turn, so a burst of clicks (two messages per
change: the event's group and the staff group) queues faster than it
drains: the contention bench saw thousands of sends pass the 3 s timeout
in 8 s, and their retries and warnings cost a tenth of the worker's CPU.
Sending what had queued as one pipeline per round trip drained it, but a
change still waited for the previous round trip's reply, and under an
on-sale's load each turn of the loop takes tens of milliseconds: in the
on-sale bench a change waited about 130 ms to leave, and the other
worker's sockets waited for it.

So here a message is written to its shard's connection in the next turn
of the loop, with everything else sent in the same turn (`Pipeline.send`
is a plain call, no await), and the replies are read apart, each one
retiring the oldest message written (Redis answers in order). A
connection that fails, or does not answer within the timeout, is
dropped; every message not answered yet is written again, in order, on a
new one after the usual pauses (`RETRY_SECONDS`; a message Redis took
just before the failure may so reach the other workers twice, which
their streams drop by version). After the last pause they are given up on, as
before, and the heartbeat's version makes the clients resync. The shard
and the channel name come from the layer itself, so receivers see exactly
what `group_send` would have sent.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from typing import Any

import metrics

logger = logging.getLogger(__name__)


def supports(layer: Any) -> bool:
    """Whether `layer` is channels_redis's pub/sub layer (the one written to)."""
    return type(layer).__name__ == "RedisPubSubChannelLayer"


class Pipeline:
    """A loop's publishes to one layer: one `_Link` per Redis shard."""

    def __init__(
        self, layer: Any, *, timeout: float, retry_seconds: tuple[float, ...]
    ) -> None:
        self.layer = layer
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self._links: dict[int, _Link] = {}

    def send(self, group: str, message: dict[str, Any]) -> None:
        """Publish a group message now; it reaches Redis after every earlier one."""
        loop_layer = self.layer._get_layer()
        channel = loop_layer._get_group_channel_name(group)
        shard = loop_layer._get_shard(channel)
        link = self._links.get(id(shard))
        if link is None or link.shard is not shard:
            link = self._links[id(shard)] = _Link(
                shard, timeout=self.timeout, retry_seconds=self.retry_seconds
            )
        link.send(channel, self.layer.serialize(message))

    @property
    def unanswered(self) -> int:
        """Messages sent that Redis has not acknowledged yet (written or not)."""
        return sum(
            len(link.unanswered) + len(link.unwritten) + len(link.outbox)
            for link in self._links.values()
        )


class _Link:
    """One shard's connection: PUBLISHes written in the turn of the loop
    after they were sent, replies read in a task of their own. Invariant,
    oldest first: `unanswered` were written on the current connection and
    Redis has not answered them; `unwritten` wait for a connection;
    `outbox` waits for the next turn."""

    def __init__(
        self, shard: Any, *, timeout: float, retry_seconds: tuple[float, ...]
    ) -> None:
        self.shard = shard
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.connection: Any = None
        self.unanswered: deque[tuple[str, bytes]] = deque()
        self.unwritten: deque[tuple[str, bytes]] = deque()
        self.outbox: list[tuple[str, bytes]] = []  # sent in this turn
        self.written = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.failures = 0  # in a row, since Redis last answered

    def send(self, channel: str, data: bytes) -> None:
        # Everything sent in one turn of the loop goes out as one write at
        # the start of the next: one send() for a burst, not one each (at a
        # thousand changes a second, a write per message cost more than the
        # batching saved).
        self.outbox.append((channel, data))
        if len(self.outbox) == 1:
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        messages, self.outbox = self.outbox, []
        if self.connection is not None:
            self._write(messages)
        else:
            self.unwritten.extend(messages)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def _write(self, messages: list[tuple[str, bytes]]) -> None:
        connection = self.connection
        commands = [("PUBLISH", channel, data) for channel, data in messages]
        # The stream writer's write: straight to the socket when its buffer
        # is empty (asyncio's transports), so the message leaves now.
        connection._writer.writelines(connection.pack_commands(commands))
        self.unanswered.extend(messages)
        self.written.set()

    async def _run(self) -> None:
        """Connect, read replies; on a failure, pause and write all again."""
        self.failures = 0
        while self.unanswered or self.unwritten or self.connection is not None:
            try:
                if self.connection is None:
                    await self._connect()
                await self._read_replies()
            except asyncio.CancelledError:
                await self._drop()
                raise
            except Exception as error:
                await self._drop()
                waiting = len(self.unwritten)
                metrics.PUBLISH_FAILURES.labels("retried").inc(waiting)
                logger.warning(
                    "publishing %d messages failed (attempt %d): %r",
                    waiting,
                    self.failures + 1,
                    error,
                )
                if self.failures >= len(self.retry_seconds):
                    self._give_up()
                    self.failures = 0
                    continue
                await asyncio.sleep(self.retry_seconds[self.failures])
                self.failures += 1

    async def _connect(self) -> None:
        """A connection of the shard's own kind and settings (address,
        database, password, TLS), with everything unanswered written again."""
        self.shard._ensure_redis()
        pool = self.shard._redis.connection_pool
        connection = pool.connection_class(**pool.connection_kwargs)
        try:
            async with asyncio.timeout(self.timeout):
                await connection.connect()
        except BaseException:
            await connection.disconnect()
            raise
        self.connection = connection
        again = list(self.unwritten)
        self.unwritten.clear()
        if again:
            self._write(again)

    async def _read_replies(self) -> None:
        """Each reply retires the oldest message written; raises on a failure."""
        connection = self.connection
        while True:
            if not self.unanswered:
                # Idle: only a write wakes this, so a connection that broke
                # meanwhile is found out by the first read after the next
                # write (a closed socket reads as the end at once).
                self.written.clear()
                await self.written.wait()
            async with asyncio.timeout(self.timeout):
                await connection.read_response()
            self.unanswered.popleft()
            # Redis took a message: the failures before were a blip. (Not
            # on connecting: a Redis that accepts and then fails every
            # message must still be given up on.)
            self.failures = 0

    async def _drop(self) -> None:
        """Forget the connection; whatever it did not answer is written again."""
        connection, self.connection = self.connection, None
        self.unwritten.extendleft(reversed(self.unanswered))
        self.unanswered.clear()
        if connection is not None:
            try:
                await connection.disconnect(nowait=True)
            except Exception:  # already broken: nothing more to close
                logger.debug("closing a failed connection", exc_info=True)

    def _give_up(self) -> None:
        count = len(self.unwritten)
        self.unwritten.clear()
        metrics.PUBLISH_FAILURES.labels("given_up").inc(count)
        logger.error(
            "publishing %d messages given up; the heartbeat will resync clients",
            count,
        )


# Per loop (its tasks and events belong to it), per layer; gone with the loop.
_pipelines: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[int, Pipeline]
] = weakref.WeakKeyDictionary()


def pipeline_for(
    layer: Any, *, timeout: float, retry_seconds: tuple[float, ...]
) -> Pipeline:
    """The running loop's pipeline for `layer` (made on first use)."""
    on_loop = _pipelines.setdefault(asyncio.get_running_loop(), {})
    found = on_loop.get(id(layer))
    if found is None or found.layer is not layer:
        found = Pipeline(layer, timeout=timeout, retry_seconds=retry_seconds)
        on_loop[id(layer)] = found
    return found
