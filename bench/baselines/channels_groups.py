"""The standard Channels pattern, served by daphne with the project's settings.

Every socket joins the event's group with a channel of its own; each change
is one `group_send` of the change's data, and every consumer serialises it
and sends it itself (the Channels tutorial's chat room). Services, selectors,
holders, the request parser, the origin check, the session middleware, the
bounded WebSocket protocol and the frozen heap are the project's (which
internals, and why: bench/internals.py); only the fan-out differs: the
project's hub publisher is disconnected and replaced by the textbook
`async_to_sync(channel_layer.group_send)` receiver.

    python -m daphne -p 8001 bench.baselines.channels_groups:application
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

# The Redis layer's settings (no socket timeout) come from config/settings.py.
import gc  # noqa: E402
import json  # noqa: E402

from asgiref.sync import async_to_sync  # noqa: E402
from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.internals import (  # noqa: E402
    BROADCAST_DISPATCH_UID,
    Event,
    FrameError,
    OriginCheck,
    RequestError,
    SeatChange,
    SessionScopeStack,
    connection_holder,
    frames,
    install_backpressure,
    is_connection_holder,
    parse_request,
    seats_changed,
    selectors,
    services,
    session_holder,
)


def announce(sender, change: SeatChange, **kwargs) -> None:
    """The textbook receiver: one group_send per change, data not text."""
    async_to_sync(get_channel_layer().group_send)(
        f"event.{change.event_id}",
        {**frames.seats_changed(change), "type": "seat.changed"},
    )


seats_changed.disconnect(dispatch_uid=BROADCAST_DISPATCH_UID)
seats_changed.connect(announce, dispatch_uid="bench.standard")


class GroupSeatMapConsumer(AsyncWebsocketConsumer):
    """Protocol v1's hold/release/ping over the group-per-consumer pattern."""

    group = None
    holder = ""

    async def connect(self) -> None:
        self.event_id = int(self.scope["url_route"]["kwargs"]["event_id"])
        exists = await database_sync_to_async(
            Event.objects.filter(pk=self.event_id).exists
        )()
        if not exists:
            await self.accept()
            await self.close(code=4404)
            return
        self.holder = session_holder(self.scope.get("session")) or connection_holder()
        self.group = f"event.{self.event_id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        seat_map = await database_sync_to_async(selectors.seat_map)(
            event_id=self.event_id, viewer=self.holder
        )
        await self.send(text_data=frames.dumps(frames.snapshot(seat_map)))

    async def disconnect(self, code: int) -> None:
        if self.group is None:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        if is_connection_holder(self.holder):
            await database_sync_to_async(services.release_all)(
                event_id=self.event_id, holder=self.holder
            )

    async def receive(self, text_data=None, bytes_data=None) -> None:
        try:
            request = parse_request(text_data)
        except FrameError as rejected:
            reply = frames.error(rejected.error, rejected.request_id)
            await self.send(text_data=frames.dumps(reply))
            return
        try:
            if request.type == "hold":
                result = await database_sync_to_async(services.hold_seats)(
                    event_id=self.event_id,
                    holder=self.holder,
                    seat_ids=request.seat_ids,
                )
                reply = frames.hold_ok(result, request.request_id)
            elif request.type == "release":
                seat_ids = await database_sync_to_async(services.release_seats)(
                    event_id=self.event_id,
                    holder=self.holder,
                    seat_ids=request.seat_ids,
                )
                reply = frames.release_ok(seat_ids, request.request_id)
            else:
                reply = frames.pong(timezone.now(), request.request_id)
        except RequestError as error:
            reply = frames.error(error, request.request_id)
        await self.send(text_data=frames.dumps(reply))

    async def seat_changed(self, message: dict) -> None:
        """Each consumer re-serialises the change for its own socket."""
        frame = {key: value for key, value in message.items() if key != "type"}
        await self.send(text_data=json.dumps({"type": "seats.changed", **frame}))


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginCheck(
            URLRouter(
                [
                    path(
                        "ws/events/<int:event_id>/",
                        SessionScopeStack(GroupSeatMapConsumer.as_asgi()),
                    )
                ]
            )
        ),
    }
)

# As `manage.py serve` does before serving (realtime/serving.py).
install_backpressure()
gc.collect()
gc.freeze()
