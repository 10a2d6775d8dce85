from channels.auth import AuthMiddlewareStack
from django.urls import path

from realtime.consumers import DashboardConsumer, SeatMapConsumer
from realtime.middleware import SessionScopeStack

websocket_urlpatterns = [
    # The seat map needs only the session (for the holder id); staff need the user.
    path("ws/events/<int:event_id>/", SessionScopeStack(SeatMapConsumer.as_asgi())),
    path("ws/dashboard/", AuthMiddlewareStack(DashboardConsumer.as_asgi())),
]
