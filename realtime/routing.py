"""WebSocket routes; any other path gets a clean 4404 close, never a 500.

Two sets, told apart by path in `websocket_application`:
`embed_websocket_urlpatterns` (under /ws/embed/) serve pages of other
origins and check each page's origin against its publishable key
themselves (realtime.embed); every other path passes the generic origin
check (realtime.origin.OriginCheck) first, exactly as before.
"""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from django.urls import path, re_path

from realtime.consumers import DashboardConsumer, NotFoundConsumer, SeatMapConsumer
from realtime.embed import EmbedSeatMapConsumer
from realtime.middleware import SessionScopeStack
from realtime.origin import OriginCheck
from realtime.queueing import QueueConsumer

EMBED_PREFIX = "/ws/embed/"

websocket_urlpatterns = [
    # The seat map needs only the session (for the holder id); staff need the user.
    path("ws/events/<int:event_id>/", SessionScopeStack(SeatMapConsumer.as_asgi())),
    path(
        "ws/events/<int:event_id>/queue/",
        SessionScopeStack(QueueConsumer.as_asgi()),
    ),
    path("ws/dashboard/", AuthMiddlewareStack(DashboardConsumer.as_asgi())),
    # Unknown paths and non-numeric event ids: Channels' router would raise
    # (an HTTP 500 and a traceback for every probe).
    re_path(r"", NotFoundConsumer.as_asgi()),
]

embed_websocket_urlpatterns = [
    # No cookie middleware: the visitor comes from `?visitor=`, never a cookie.
    path("ws/embed/v1/events/<int:event_id>/", EmbedSeatMapConsumer.as_asgi()),
    re_path(r"", NotFoundConsumer.as_asgi()),
]


class ByPath:
    """ASGI: /ws/embed/ to the embed routes (their own per-key origin check),
    every other path through OriginCheck to the ordinary routes."""

    def __init__(self) -> None:
        self.embed = URLRouter(embed_websocket_urlpatterns)
        self.checked = OriginCheck(URLRouter(websocket_urlpatterns))

    async def __call__(self, scope, receive, send):
        if scope.get("path", "").startswith(EMBED_PREFIX):
            return await self.embed(scope, receive, send)
        return await self.checked(scope, receive, send)


def websocket_application() -> ByPath:
    return ByPath()
