from django.urls import path

from realtime.consumers import DashboardConsumer, SeatMapConsumer

websocket_urlpatterns = [
    path("ws/events/<int:event_id>/", SeatMapConsumer.as_asgi()),
    path("ws/dashboard/", DashboardConsumer.as_asgi()),
]
