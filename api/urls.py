from django.urls import path, re_path

from api import views as api
from api.v1.app import api as api_v1
from api.v1.idempotency import idempotent_urls
from api.v1.problems import unknown_route

urlpatterns = [
    # The root itself is no route (ninja's own answer there is HTML).
    path("v1/", unknown_route),
    path("v1/", idempotent_urls(api_v1.urls)),
    # Anything else under v1 is a problem+json 404 too, not an HTML page.
    re_path(r"^v1/", unknown_route),
    path("events/", api.events, name="api-events"),
    path("events/<int:event_id>/seats/", api.event_seats, name="api-event-seats"),
    path(
        "release-expired-locks/",
        api.release_expired_locks,
        name="release-expired-locks",
    ),
]
