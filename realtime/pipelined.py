"""Publishing to Redis pub/sub from the serving loop: in order, many at once.

channels_redis's pub/sub layer sends one PUBLISH at a time under a lock and
waits for each reply before the next. On a busy serving loop every reply
waits for the loop's next turn, so a burst of clicks (two messages per
change: the event's group and the staff group) queues faster than it
drains: the contention bench saw thousands of sends pass the 3 s timeout
in 8 s, and their retries and warnings cost a tenth of the worker's CPU.

Here each serving loop has one `Pipeline`: messages are queued without
waiting, and one task sends everything queued as one Redis pipeline per
shard (one round trip for all of them), in the order they were queued. A
batch that fails is sent again after the same pauses as before
(`RETRY_SECONDS`); after the last it is given up, as before, and the
heartbeat's version makes the clients resync. The shard and the channel
name come from the layer itself, so receivers see exactly what
`group_send` would have sent.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import defaultdict, deque
from typing import Any

import metrics

logger = logging.getLogger(__name__)

# Most messages per round trip (a burst beyond that is several round trips).
BATCH = 500


def supports(layer: Any) -> bool:
    """Whether `layer` is channels_redis's pub/sub layer (the one batched)."""
    return type(layer).__name__ == "RedisPubSubChannelLayer"


class Pipeline:
    """Queued messages for one layer on one loop, sent in order in batches."""

    def __init__(
        self, layer: Any, *, timeout: float, retry_seconds: tuple[float, ...]
    ) -> None:
        self.layer = layer
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.queue: deque[tuple[str, dict[str, Any]]] = deque()
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def send(self, group: str, message: dict[str, Any]) -> None:
        """Queue a group message; it goes out after everything queued before."""
        self.queue.append((group, message))
        self.wake.set()
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.queue:
                count = min(len(self.queue), BATCH)
                batch = [self.queue.popleft() for _ in range(count)]
                await self._send_with_retry(batch)

    async def _send_with_retry(self, batch: list[tuple[str, dict[str, Any]]]) -> None:
        for attempt, delay in enumerate((0.0, *self.retry_seconds)):
            if delay:
                await asyncio.sleep(delay)
            try:
                await asyncio.wait_for(self._send(batch), self.timeout)
                return
            except Exception as error:
                metrics.PUBLISH_FAILURES.labels("retried").inc(len(batch))
                logger.warning(
                    "publishing %d messages failed (attempt %d): %r",
                    len(batch),
                    attempt + 1,
                    error,
                )
        metrics.PUBLISH_FAILURES.labels("given_up").inc(len(batch))
        logger.error(
            "publishing %d messages given up; the heartbeat will resync clients",
            len(batch),
        )

    async def _send(self, batch: list[tuple[str, dict[str, Any]]]) -> None:
        """One pipeline per shard, each message on the group's channel."""
        loop_layer = self.layer._get_layer()
        by_shard: dict[Any, list[tuple[str, bytes]]] = defaultdict(list)
        for group, message in batch:
            channel = loop_layer._get_group_channel_name(group)
            data = self.layer.serialize(message)
            by_shard[loop_layer._get_shard(channel)].append((channel, data))
        for shard, items in by_shard.items():
            shard._ensure_redis()
            pipe = shard._redis.pipeline(transaction=False)
            for channel, data in items:
                pipe.publish(channel, data)
            await pipe.execute()


# Per loop (its task and event belong to it), per layer; gone with the loop.
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
