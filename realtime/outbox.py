"""A bounded queue of frames for one socket, drained by one writer task.

A slow reader can never stall the broadcaster or grow memory without bound:
when its queue is full the connection is closed (4008) and the client
resyncs from a fresh snapshot when it reconnects.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 256


class Outbox:
    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        on_overflow: Callable[[], Awaitable[None]],
        *,
        limit: int = DEFAULT_LIMIT,
    ):
        self._send = send
        self._on_overflow = on_overflow
        self._queue: asyncio.Queue[str] = asyncio.Queue(maxsize=limit)
        self._writer: asyncio.Task | None = None
        self._overflowed = False

    def put(self, text: str) -> None:
        """Queue a frame without waiting; frames queue up until `start()`."""
        if self._overflowed:
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self._overflowed = True
            asyncio.get_running_loop().create_task(self._on_overflow())

    def start(self) -> None:
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._drain())

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            try:
                await self._writer
            except (asyncio.CancelledError, Exception):
                pass
            self._writer = None

    async def _drain(self) -> None:
        while True:
            text = await self._queue.get()
            try:
                await self._send(text)
            except Exception:  # the socket went away; the disconnect handler tidies up
                logger.debug("send failed; writer stops", exc_info=True)
                return
