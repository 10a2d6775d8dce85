from django.urls import path

from frontend import embed, presales, views

urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("events/<int:event_id>/", views.seat_map, name="seat-map"),
    path("events/<int:event_id>/checkout", views.checkout, name="checkout"),
    path("events/<int:event_id>/code", presales.presale_code, name="presale-code"),
    # The seat map embedded in a shop's page (frontend.embed, docs/embed.md).
    path("embed/v1/events/<str:event_id>/start", embed.start, name="embed-start"),
    path("embed/v1/seat-map.js", embed.seat_map_module, name="embed-module"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("plans/new/", views.new_plan, name="new-plan"),
    path("plans/<int:plan_id>/edit/", views.plan_editor, name="plan-editor"),
    path("box-office/events/<int:event_id>/", views.box_office, name="box-office"),
    path(
        "box-office/events/<int:event_id>/channels/",
        presales.channels_page,
        name="box-office-channels",
    ),
    path("box-office/bookings/", views.box_office_lookup, name="box-office-lookup"),
    path(
        "box-office/bookings/<str:reference>/",
        views.box_office_confirmation,
        name="box-office-confirmation",
    ),
    path(
        "box-office/bookings/<str:reference>/tickets/<int:seat_id>/",
        views.box_office_ticket,
        name="box-office-ticket",
    ),
]
