from django.urls import path, re_path

from api import layouts, plan_drafts, staff
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
        "events/<int:event_id>/layout/<slug:digest>.json",
        layouts.event_layout,
        name="api-event-layout",
    ),
    path("staff/plans", plan_drafts.new_plan, name="staff-new-plan"),
    path("staff/plans/<int:plan_id>/draft", plan_drafts.draft, name="staff-plan-draft"),
    path(
        "staff/plans/<int:plan_id>/publish",
        plan_drafts.publish,
        name="staff-plan-publish",
    ),
    path("staff/events/<int:event_id>/block", staff.block, name="staff-block"),
    path("staff/events/<int:event_id>/unblock", staff.unblock, name="staff-unblock"),
    path("staff/events/<int:event_id>/release", staff.release, name="staff-release"),
    path("staff/events/<int:event_id>/keep", staff.keep, name="staff-keep"),
    path("staff/events/<int:event_id>/sell", staff.sell, name="staff-sell"),
    path(
        "staff/events/<int:event_id>/cancel",
        staff.cancel_seats,
        name="staff-cancel-seats",
    ),
    path(
        "staff/events/<int:event_id>/seats/<int:seat_id>/history",
        staff.seat_history,
        name="staff-seat-history",
    ),
    path("staff/events/<int:event_id>/report", staff.report, name="staff-report"),
    path(
        "staff/events/<int:event_id>/waiting-room",
        staff.waiting_room,
        name="staff-waiting-room",
    ),
    path(
        "staff/events/<int:event_id>/bookings.csv",
        staff.bookings_csv,
        name="staff-bookings-csv",
    ),
    path("staff/bookings/<str:reference>/cancel", staff.cancel, name="staff-cancel"),
    path(
        "release-expired-locks/",
        api.release_expired_locks,
        name="release-expired-locks",
    ),
]
