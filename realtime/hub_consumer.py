"""The base of our socket consumers: messages from the client, nothing from a layer.

Our consumers take broadcasts from the process's hub (realtime.hub), never
from a channel of their own, so the only messages a consumer waits for are
its client's. Channels' consumer loop waits for "the first of its sources"
even when there is one: per message a new task for the receive, an
`asyncio.wait` with its futures and callbacks, and three turns of the loop
where one does. Under contention that was a visible share of a worker's
CPU per click; here each message is awaited and dispatched directly.
"""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer


class HubConsumer(AsyncWebsocketConsumer):
    """A WebSocket consumer with no channel layer: one message at a time, in order."""

    async def __call__(self, scope, receive, send) -> None:
        self.scope = scope
        # Broadcasts arrive through the hub: no channel per connection.
        self.channel_layer = None
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections on its single database
        # thread before every message, which makes each message wait for any
        # slow query of the process; realtime.db does it around each call.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
