"""WebSocket consumers: thin, one handler per message type.

They parse frames, ask `seats.services` to act for the holder the server
derived from the session or connection, and reply. Broadcasts never start
here: they follow commits, through `realtime.broadcasting`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone

import metrics
from access import is_staff, session_is_staff
from realtime import arrivals, limits, snapshots
from realtime.db import db_call, db_function
from realtime.heartbeat import ensure_heartbeats
from realtime.hub import STAFF_GROUP, event_group, get_hub
from realtime.hub_consumer import HubConsumer
from realtime.transport import DIRECT_SEND
from seats import activity_log, selectors, services
from seats.errors import (
    BadRequest,
    DatabaseTimeout,
    RateLimited,
    RequestError,
    ServerError,
)
from seats.holders import is_connection_holder
from seats.models import Event
from seats.waiting import services as waiting
from wire import dashboard_frames, frames, shapes
from wire.requests import MAX_ID, REQUEST_TYPES, FrameError, Request, parse_request

logger = logging.getLogger(__name__)
T = TypeVar("T")

CLOSE_UNKNOWN_EVENT = 4404
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4008
CLOSE_TOO_MANY_CONNECTIONS = 4429
# Broadcasts held for a socket whose snapshot is still being read.
BACKLOG_LIMIT = 256


async def send_text(consumer: AsyncWebsocketConsumer, text: str) -> None:
    """`text` to the consumer's socket: straight to its transport where the
    server offers that (realtime.transport.DIRECT_SEND; the broadcast hot
    path), else through the ASGI send."""
    direct = consumer.scope.get(DIRECT_SEND)
    if direct is not None:
        direct(text)
    else:
        await consumer.base_send({"type": "websocket.send", "text": text})


@db_call
def _event_exists(event_id: int) -> bool:
    # A larger id names no event (and would overflow SQLite's integers).
    return event_id <= MAX_ID and Event.objects.filter(pk=event_id).exists()


class NotFoundConsumer(HubConsumer):
    """Any WebSocket path that names nothing: accepted, then closed with 4404."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=CLOSE_UNKNOWN_EVENT)


# Events this process has seen exist: an on-sale's thousands of arrivals
# ask about one event, and an event that exists keeps existing (a deleted
# one is found out when its snapshot is read).
_known_events: set[int] = set()
KNOWN_EVENTS_KEPT = 10_000


async def _exists(event_id: int) -> bool:
    if event_id in _known_events:
        return True
    if not await _event_exists(event_id):
        return False
    if len(_known_events) >= KNOWN_EVENTS_KEPT:
        _known_events.clear()
    _known_events.add(event_id)
    return True


class SeatMapConsumer(HubConsumer):
    """`/ws/events/<event_id>/`: the live seat map of one event (protocol v1).

    No per-socket channel: broadcasts arrive through the process's hub.
    """

    event_id: int
    # Decided with the first snapshot (realtime.arrivals); empty until then.
    holder: str = ""
    # The sales channels the session unlocked when the socket opened (a
    # code entered later reaches the services when the page reconnects).
    channels: frozenset[int] = frozenset()
    # Broadcasts that arrive before the snapshot has gone out wait here, in
    # order; None once the socket is live.
    backlog: list[str] | None = None
    group: str | None = None
    bucket: limits.TokenBucket | None = None
    # Counted in the open-sockets gauge (undone exactly once on disconnect).
    counted = False
    # Snapshots of the live state only, the layout linked (`?snapshot=live`).
    live = False
    # Once live, where the server offers it: the transport's direct sender,
    # which the hub calls instead of `deliver` (realtime.hub._fan_out).
    push: Callable[[str], None] | None = None
    # The request types this socket answers (the embedded map's adds some).
    request_types = REQUEST_TYPES

    def wants_live(self, query: dict[str, list[str]]) -> bool:
        """`?snapshot=live`: snapshots of the live state only (realtime.snapshots)."""
        return query.get("snapshot") == ["live"]

    async def connect(self) -> None:
        self.event_id = int(self.scope["url_route"]["kwargs"]["event_id"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.live = self.wants_live(query)
        client = self.scope.get("client") or (None, None)
        if limits.connections.admit(client[0]):
            metrics.RATE_LIMITED.labels("connections").inc()
            # Accepted only to say why: a clear close code, not a bare 403.
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY_CONNECTIONS)
            return
        self.bucket = limits.request_bucket(client[0])
        if not await _exists(self.event_id):
            # Accept first so the client sees a meaningful close code, not a 403.
            await self.accept()
            await self.close(code=CLOSE_UNKNOWN_EVENT)
            return
        await self.accept()
        self.backlog = []
        self.group = event_group(self.event_id)
        # Subscribe before reading the snapshot so no change falls in between;
        # broadcasts wait in the backlog until the snapshot has gone out.
        hub = get_hub()
        await hub.subscribe(self.group, self)
        metrics.OPEN_SOCKETS.labels("seat_map").inc()
        self.counted = True
        ensure_heartbeats(hub)
        try:
            self.holder, self.channels, text = await arrivals.arrive(
                self.scope, self.event_id, self.live
            )
        except Event.DoesNotExist:
            _known_events.discard(self.event_id)
            await self.close(code=CLOSE_UNKNOWN_EVENT)
            return
        await self._send_text(text)
        while self.backlog:
            await self._send_text(self.backlog.pop(0))
        self.backlog = None  # no await since the last check: nothing slips past
        # Live: the hub may now hand frames straight to the transport.
        self.push = self.scope.get(DIRECT_SEND)

    async def disconnect(self, code: int) -> None:
        if self.counted:
            metrics.OPEN_SOCKETS.labels("seat_map").dec()
            self.counted = False
        if self.group is not None:
            get_hub().unsubscribe(self.group, self)
        if self.holder and self.group is not None and is_connection_holder(self.holder):
            # Nobody can ever act for this connection again: free its seats now.
            await db_function(services.release_all)(
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
    ) -> None:
        try:
            request = parse_request(text_data, self.request_types)
        except FrameError as rejected:
            metrics.REQUESTS.labels("invalid", rejected.error.code).inc()
            await self._send(frames.error(rejected.error, rejected.request_id))
            return
        wait = self.bucket.take() if self.bucket is not None else 0.0
        if wait:
            metrics.RATE_LIMITED.labels("requests").inc()
            await self._fail(request, RateLimited(wait))
            return
        handler = getattr(self, f"_on_{request.type}")
        try:
            reply = await handler(request)
        except RequestError as failure:
            await self._fail(request, failure)
            return
        except Exception:
            logger.exception("request %s failed", request.type)
            await self._fail(request, ServerError())
            return
        metrics.REQUESTS.labels(request.type, "ok").inc()
        if reply is not None:
            await self._send(reply)

    async def _fail(self, request: Request, failure: RequestError) -> None:
        metrics.REQUESTS.labels(request.type, failure.code).inc()
        await self._send(frames.error(failure, request.request_id))

    async def _on_loop(
        self, service: Callable[..., Awaitable[T | None]], seat_ids: Sequence[int]
    ) -> T | None:
        """A plain click answered on this loop where it can be (no database
        thread, no turns of the loop in between; services.on_loop), measured
        as the threads' calls are (realtime.db). None: go the usual way."""
        if not services.answers_on_loop():
            return None
        operation = service.__name__
        started = time.perf_counter()
        try:
            result = await service(
                event_id=self.event_id, holder=self.holder, seat_ids=seat_ids
            )
        except DatabaseTimeout:
            metrics.DB_TIMEOUTS.labels(operation).inc()
            raise
        except RequestError:
            metrics.LOOP_CLICKS.labels("answered").inc()  # a refusal is an answer
            raise
        finally:
            metrics.DB_OPERATION.labels(operation).observe(
                time.perf_counter() - started
            )
        metrics.LOOP_CLICKS.labels("usual_way" if result is None else "answered").inc()
        return result

    def _admission(self) -> Callable[[bool | None], None]:
        """The waiting room's check for this visitor, given whether the
        event's room is on (None: not known, read it)."""
        session, event_id, holder = (
            self.scope.get("session"),
            self.event_id,
            self.holder,
        )
        assert holder is not None

        def check(room_on: bool | None) -> None:
            waiting.require_admission(
                event_id=event_id,
                holder=holder,
                staff=lambda: session_is_staff(session),
                room_on=room_on,
            )

        return check

    def _admitted(self, service: Callable[..., T]) -> Callable[..., T]:
        """`service`, refused (`not_admitted`) while the event's waiting room
        has not admitted this visitor (seats.waiting); staff go first."""
        session = self.scope.get("session")

        @functools.wraps(service)
        def call(*, event_id: int, holder: str, **kwargs: Any) -> T:
            # The session was loaded at connect; its user is read again now
            # (and only if the room has not admitted this visitor).
            waiting.require_admission(
                event_id=event_id,
                holder=holder,
                staff=lambda: session_is_staff(session),
            )
            return service(event_id=event_id, holder=holder, **kwargs)

        return call

    async def _on_hold(self, request: Request) -> shapes.HoldOkFrame:
        if not request.places:
            held = await self._on_loop(services.hold_on_loop, request.seat_ids)
            if held is not None:
                return frames.hold_ok(held, request.request_id)
        # The room check rides on the seats' read (no round trip of its own).
        result = await db_function(services.hold_seats)(
            event_id=self.event_id,
            holder=self.holder,
            seat_ids=request.seat_ids,
            admission=self._admission(),
            places=[
                services.Places(area, quantity) for area, quantity in request.places
            ],
            channels=self.channels,
        )
        return frames.hold_ok(result, request.request_id)

    async def _on_hold_best(self, request: Request) -> shapes.HoldOkFrame:
        result = await db_call(self._admitted(services.hold_best))(
            event_id=self.event_id,
            holder=self.holder,
            count=request.count,
            category=request.category,
            accessible=request.accessible,
            channels=self.channels,
        )
        return frames.hold_ok(result, request.request_id)

    async def _on_release(self, request: Request) -> shapes.ReleaseOkFrame:
        freed = await self._on_loop(services.release_on_loop, request.seat_ids)
        if freed is not None:
            return frames.release_ok(freed, request.request_id)
        seat_ids = await db_function(services.release_seats)(
            event_id=self.event_id, holder=self.holder, seat_ids=request.seat_ids
        )
        return frames.release_ok(seat_ids, request.request_id)

    async def _on_extend(self, request: Request) -> shapes.ExtendOkFrame:
        result = await db_function(services.extend_hold)(
            event_id=self.event_id, holder=self.holder
        )
        return frames.extend_ok(result, request.request_id)

    async def _on_book(self, request: Request) -> shapes.BookOkFrame:
        customer = services.Customer(
            name=request.customer_name, email=request.customer_email
        )
        result = await db_call(self._admitted(services.book_from_map))(
            event_id=self.event_id,
            holder=self.holder,
            seat_ids=request.seat_ids,
            customer=customer,
        )
        return frames.book_ok(result, request.request_id)

    async def _on_snapshot(self, request: Request) -> None:
        await self._send_snapshot(request)

    async def _on_ping(self, request: Request) -> shapes.PongFrame:
        version = await db_function(selectors.event_version)(self.event_id)
        return frames.pong(
            timezone.now(), request.request_id, event_id=self.event_id, version=version
        )

    async def _send_snapshot(self, request: Request | None = None) -> None:
        request_id = request.request_id if request is not None else None
        text = await db_function(snapshots.snapshot_text)(
            self.event_id, self.holder, self.live, request_id, unlocked=self.channels
        )
        await self._send_text(text)

    async def _send(self, frame: object) -> None:
        await self._send_text(frames.dumps(frame))

    async def _send_text(self, text: str) -> None:
        await send_text(self, text)

    async def _too_slow(self) -> None:
        logger.info("closing a socket of event %s: it fell behind", self.event_id)
        await self.close(code=CLOSE_TOO_SLOW)


class DashboardConsumer(HubConsumer):
    """`/ws/dashboard/`: staff only; the live feed of changes across events.

    Activity arrives through the process's hub, like seat-map broadcasts, so
    group membership is renewed in one place and no socket owns a channel.
    """

    # Coalesce state refreshes: at most one per this many seconds.
    REFRESH_SECONDS = 0.3

    _refresh: asyncio.Task[None] | None = None
    subscribed = False

    async def connect(self) -> None:
        if not is_staff(self.scope.get("user")):
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.accept()
        await get_hub().subscribe(STAFF_GROUP, self)
        self.subscribed = True
        metrics.OPEN_SOCKETS.labels("dashboard").inc()
        await self._send_state()
        # Read after subscribing: a change committed before the read is in the
        # history, one after it comes live; one in between comes both ways
        # and the page drops the second copy by its (event, version).
        await self._send_history()

    async def disconnect(self, code: int) -> None:
        if self._refresh is not None:
            self._refresh.cancel()
        if self.subscribed:
            self.subscribed = False
            metrics.OPEN_SOCKETS.labels("dashboard").dec()
            get_hub().unsubscribe(STAFF_GROUP, self)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ) -> None:
        try:
            request = parse_request(text_data)
        except FrameError as rejected:
            await self._send(frames.error(rejected.error, rejected.request_id))
            return
        if request.type == "snapshot":
            await self._send_state(request)
        elif request.type == "ping":
            await self._send(frames.pong(timezone.now(), request.request_id))
        else:
            failure = BadRequest("The dashboard only answers snapshot and ping.")
            await self._send(frames.error(failure, request.request_id))

    async def deliver(self, text: str) -> None:
        """Called by the hub for every change of every event."""
        await send_text(self, text)
        if self._refresh is None:
            # Keep the task referenced: the loop holds tasks only weakly.
            self._refresh = asyncio.create_task(self._refresh_later())

    async def _refresh_later(self) -> None:
        await asyncio.sleep(self.REFRESH_SECONDS)
        self._refresh = None
        await self._send_state()

    async def _send_state(self, request: Request | None = None) -> None:
        state = await db_call(selectors.dashboard_state)()
        request_id = request.request_id if request is not None else None
        await self._send(dashboard_frames.dashboard_state(state, request_id))

    async def _send_history(self) -> None:
        now = timezone.now()
        changes = await db_call(activity_log.recent_changes)(now=now)
        since = now - activity_log.HISTORY_WINDOW
        await self._send(
            dashboard_frames.activity_history(changes, since=since, now=now)
        )

    async def _send(self, frame: object) -> None:
        await self.send(text_data=frames.dumps(frame))
