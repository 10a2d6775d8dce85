from django.urls import path

from api import views as api

urlpatterns = [
    path("events/", api.events, name="api-events"),
    path("events/<int:event_id>/seats/", api.event_seats, name="api-event-seats"),
    path(
        "release-expired-locks/",
        api.release_expired_locks,
        name="release-expired-locks",
    ),
]
