"""WebSocket consumers: thin, one handler per message type.

They parse frames, ask `seats.services` to act for the holder the server
derived from the session or connection, and reply. Broadcasts never start
here: they follow commits, through `realtime.broadcasting`.
"""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone

from realtime.broadcasting import STAFF_GROUP
from realtime.hub import event_group, get_hub
from realtime.protocol import FrameError, Request, dumps, error_frame, parse_request
from seats import selectors, services
from seats.errors import SeatError
from seats.holders import connection_holder, is_connection_holder, session_holder
from seats.models import Event
from seats.timefmt import iso

logger = logging.getLogger(__name__)

CLOSE_UNKNOWN_EVENT = 4404
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4008
# Broadcasts held for a socket whose snapshot is still being read.
BACKLOG_LIMIT = 256


@database_sync_to_async
def _event_exists(event_id: int) -> bool:
    return Event.objects.filter(pk=event_id).exists()


@database_sync_to_async
def _holder_of(scope: dict) -> str:
    """The session's holder id, or a fresh one for this connection only."""
    return session_holder(scope.get("session")) or connection_holder()


class SeatMapConsumer(AsyncWebsocketConsumer):
    """`/ws/events/<event_id>/`: the live seat map of one event (protocol v1)."""

    # No per-socket channel: broadcasts arrive through the process's hub, so
    # an unconfigured alias makes Channels skip creating one per connection.
    channel_layer_alias = "__hub_only__"

    event_id: int
    holder: str
    # Broadcasts that arrive before the snapshot has gone out wait here, in
    # order; None once the socket is live.
    backlog: list[str] | None = None
    group: str | None = None

    async def connect(self) -> None:
        self.event_id = int(self.scope["url_route"]["kwargs"]["event_id"])
        if not await _event_exists(self.event_id):
            # Accept first so the client sees a meaningful close code, not a 403.
            await self.accept()
            await self.close(code=CLOSE_UNKNOWN_EVENT)
            return
        self.holder = await _holder_of(self.scope)
        await self.accept()
        self.backlog = []
        self.group = event_group(self.event_id)
        # Subscribe before reading the snapshot so no change falls in between;
        # broadcasts wait in the backlog until the snapshot has gone out.
        await get_hub().subscribe(self.group, self)
        await self._send_snapshot()
        while self.backlog:
            await self._send_text(self.backlog.pop(0))
        self.backlog = None  # no await since the last check: nothing slips past

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            get_hub().unsubscribe(self.group, self)
        if self.group is not None and is_connection_holder(self.holder):
            # Nobody can ever act for this connection again: free its seats now.
            await database_sync_to_async(services.release_all)(
                event_id=self.event_id, holder=self.holder
            )

    async def deliver(self, text: str) -> None:
        """Called by the hub for every broadcast of this event."""
        if self.backlog is None:
            await self._send_text(text)
        elif len(self.backlog) < BACKLOG_LIMIT:
            self.backlog.append(text)
        else:
            self.backlog.clear()
            await self._too_slow()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ):
        try:
            request = parse_request(text_data)
        except FrameError as rejected:
            await self._send_text(error_frame(rejected.error, rejected.request_id))
            return
        handler = getattr(self, f"_on_{request.type}")
        try:
            reply = await handler(request)
        except SeatError as error:
            await self._send_text(error_frame(error, request.request_id))
            return
        except Exception:
            logger.exception("request %s failed", request.type)
            await self._send_text(
                dumps(
                    {
                        "type": "error",
                        "code": "server_error",
                        "message": "Something went wrong on our side; nothing changed.",
                        "seat_ids": [],
                        **_echo(request),
                    }
                )
            )
            return
        if reply is not None:
            await self._send_text(dumps({**reply, **_echo(request)}))

    async def _on_hold(self, request: Request) -> dict:
        result = await database_sync_to_async(services.hold_seats)(
            event_id=self.event_id, holder=self.holder, seat_ids=request.seat_ids
        )
        return _hold_ok(result)

    async def _on_hold_best(self, request: Request) -> dict:
        result = await database_sync_to_async(services.hold_best)(
            event_id=self.event_id,
            holder=self.holder,
            count=request.count,
            category=request.category,
        )
        return _hold_ok(result)

    async def _on_release(self, request: Request) -> dict:
        seat_ids = await database_sync_to_async(services.release_seats)(
            event_id=self.event_id, holder=self.holder, seat_ids=request.seat_ids
        )
        return {"type": "release.ok", "seat_ids": seat_ids}

    async def _on_extend(self, request: Request) -> dict:
        result = await database_sync_to_async(services.extend_hold)(
            event_id=self.event_id, holder=self.holder
        )
        return {
            "type": "extend.ok",
            "held_until": iso(result.held_until),
            "max_until": iso(result.max_until),
        }

    async def _on_book(self, request: Request) -> dict:
        result = await database_sync_to_async(services.book_seats)(
            event_id=self.event_id, holder=self.holder, seat_ids=request.seat_ids
        )
        return {
            "type": "book.ok",
            "seat_ids": result.seat_ids,
            "booking": result.reference,
        }

    async def _on_snapshot(self, request: Request) -> None:
        await self._send_snapshot(request)

    async def _on_ping(self, request: Request) -> dict:
        return {"type": "pong", "server_time": iso(timezone.now())}

    async def _send_snapshot(self, request: Request | None = None) -> None:
        snapshot = await database_sync_to_async(selectors.seat_map)(
            event_id=self.event_id, viewer=self.holder
        )
        if request is not None:
            snapshot.update(_echo(request))
        await self._send_text(dumps(snapshot))

    async def _send_text(self, text: str) -> None:
        # Straight to the server's send: this is the broadcast hot path.
        await self.base_send({"type": "websocket.send", "text": text})

    async def _too_slow(self) -> None:
        logger.info("closing a socket of event %s: it fell behind", self.event_id)
        await self.close(code=CLOSE_TOO_SLOW)


def _hold_ok(result: services.HoldResult) -> dict:
    return {
        "type": "hold.ok",
        "seat_ids": result.seat_ids,
        "held_until": iso(result.held_until),
        "max_until": iso(result.max_until),
    }


def _echo(request: Request) -> dict:
    return {} if request.request_id is None else {"request_id": request.request_id}


class DashboardConsumer(AsyncWebsocketConsumer):
    """`/ws/dashboard/`: staff only; the live feed of changes across events."""

    # Coalesce state refreshes: at most one per this many seconds.
    REFRESH_SECONDS = 0.3

    _refresh: asyncio.TimerHandle | None = None
    joined = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(STAFF_GROUP, self.channel_name)
        self.joined = True
        await self.accept()
        await self._send_state()

    async def disconnect(self, code: int) -> None:
        if self._refresh is not None:
            self._refresh.cancel()
        if self.joined:
            await self.channel_layer.group_discard(STAFF_GROUP, self.channel_name)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ):
        try:
            request = parse_request(text_data)
        except FrameError as rejected:
            await self.send(text_data=error_frame(rejected.error, rejected.request_id))
            return
        if request.type == "snapshot":
            await self._send_state()
        elif request.type == "ping":
            await self.send(
                text_data=dumps({"type": "pong", "server_time": iso(timezone.now())})
            )
        else:
            await self.send(
                text_data=dumps(
                    {
                        "type": "error",
                        "code": "bad_request",
                        "message": "The dashboard only answers snapshot and ping.",
                        "seat_ids": [],
                        **_echo(request),
                    }
                )
            )

    async def staff_activity(self, message: dict) -> None:
        await self.send(text_data=message["text"])
        if self._refresh is None:
            loop = asyncio.get_running_loop()
            self._refresh = loop.call_later(
                self.REFRESH_SECONDS, lambda: loop.create_task(self._refresh_state())
            )

    async def _refresh_state(self) -> None:
        self._refresh = None
        await self._send_state()

    async def _send_state(self) -> None:
        state = await database_sync_to_async(selectors.dashboard_state)()
        await self.send(text_data=dumps(state))
