"""WebSocket routes; any other path gets a clean 4404 close, never a 500."""

from channels.auth import AuthMiddlewareStack
from django.urls import path, re_path

from realtime.consumers import DashboardConsumer, NotFoundConsumer, SeatMapConsumer
from realtime.middleware import SessionScopeStack
from realtime.queueing import QueueConsumer

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
